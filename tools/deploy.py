"""Export a checkpoint through mmdeploy to ONNX Runtime, OpenVINO, ncnn or
TensorRT, in fp32 or (ONNX Runtime, OpenVINO) int8 and bf16.

The arguments follow mmdeploy's ``tools/deploy.py``::

    python tools/deploy.py \\
        configs/deploy/segmentation_onnxruntime_static-64x84.py \\
        configs/m2nist_fastscnn.py work_dirs/m2nist_fastscnn/best.pth IMG \\
        --work-dir work_dirs/deploy/fastscnn_ort

The work dir gets the backend files and mmdeploy's SDK meta files once the
backend model has matched PyTorch on ``IMG`` (and ``--test-img``); see
docs/deployment.md.
"""
import argparse
import logging
import os.path as osp
import sys
from typing import List, Optional

from mmengine.logging import MMLogger

from m2nist_core import DataFileError, read_inputs


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('deploy_cfg', help='deploy config (configs/deploy)')
    parser.add_argument('model_cfg', help='model config')
    parser.add_argument('checkpoint', help='model checkpoint')
    parser.add_argument('img', help='image to export with (.npy/PNG/JPG); '
                        'a static model takes its padded size')
    parser.add_argument('--test-img', nargs='+', default=[],
                        help='more images (files, .npy batches or dirs) to '
                        'check the backend model on')
    parser.add_argument('--calib-img', nargs='+',
                        help='int8 deploy configs: calibration images '
                        '(files, .npy batches or dirs) instead of those the '
                        "deploy config's calib_config picks")
    parser.add_argument('--work-dir', help='output dir (default '
                        'work_dirs/deploy/<model cfg>/<deploy cfg>)')
    parser.add_argument('--device', default='cpu',
                        help='device to check the backend model on '
                        '(TensorRT: cuda:0); the export runs on the CPU')
    parser.add_argument('--min-agreement', type=float,
                        help='percent of pixels (segmentation) or boxes '
                        '(detection) the backend model must agree with '
                        'PyTorch on, or nothing is written (default 99.9; '
                        'int8, bf16 and fp16 exports 99.5)')
    parser.add_argument('--dump-info', action='store_true',
                        help='accepted for mmdeploy compatibility: the SDK '
                        'meta files are always written (tools/infer.py '
                        'reads them)')
    parser.add_argument('--log-level', default='WARNING',
                        choices=list(logging._nameToLevel))
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    MMLogger.get_instance('mmdeploy', log_level=args.log_level)
    from m2nist_mm.deploy import export
    work_dir = args.work_dir or osp.join(
        'work_dirs', 'deploy',
        *(osp.splitext(osp.basename(p))[0]
          for p in (args.model_cfg, args.deploy_cfg)))
    try:
        sample = read_inputs(args.img)
        if len(sample) != 1:
            raise ValueError(f'{args.img}: IMG must be one image, it holds '
                             f'{len(sample)}; pass more with --test-img')
        checks = [item for path in args.test_img
                  for item in read_inputs(path)]
        calib = None if args.calib_img is None else [
            item for path in args.calib_img for item in read_inputs(path)]
        result = export(args.deploy_cfg, args.model_cfg, args.checkpoint,
                        sample[0][2], work_dir, [im for _, _, im in checks],
                        device=args.device,
                        min_agreement=args.min_agreement,
                        names=[src for _, src, _ in sample + checks],
                        calib_imgs=calib and [im for _, _, im in calib],
                        calib_names=calib and [src for _, src, _ in calib])
    except (DataFileError, FileNotFoundError, ValueError,
            RuntimeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    calibrated = (f', calibrated on {result["calib_images"]} image(s)'
                  if result['calib_images'] else '')
    print(f'{result["backend"]} {result["precision"]} model in {work_dir} '
          f'(input {result["input_shape"]}{calibrated}): agrees with '
          'PyTorch on '
          f'{result["agreement"]:.4f} % of the {result["unit"]} of '
          f'{result["images"]} image(s)')
    if result['sdk_agreement'] is not None:
        print(f"mmdeploy's SDK (mmdeploy_runtime) on it: "
              f'{result["sdk_agreement"]:.4f} % of the {result["unit"]}')
    for f in result['files']:
        print(f'  {f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
