"""The section of the deployment benchmark."""
from benchmarks import deploy


def test_deploy_best_speedup_keeps_the_accuracy():
    """The fastest row counts only if it loses <= 0.3 digit mIoU against
    ONNX Runtime fp32; PyTorch and the SDK are not candidates."""
    def row(tput, miou):
        return dict(throughput=tput, digit_miou=miou)
    rows = dict(pytorch=row(9000, 99.0), onnxruntime_fp32=row(100, 96.0),
                openvino_int8=row(500, 95.6), onnxruntime_int8=row(300, 95.8),
                mmdeploy_sdk=row(800, 96.0))
    assert deploy.best_speedup(rows) == dict(
        backend='onnxruntime_int8', baseline='onnxruntime_fp32', speedup=3.0)
    # the faster ONNX Runtime fp32 export is the reference
    assert deploy.best_speedup(dict(rows, onnxruntime=row(150, 96.0)))[
        'speedup'] == 2.0
    models = [dict(
        model='unet', checkpoint='c.pth', threads=[1, 2],
        best=deploy.best_speedup(rows),
        rows={k: dict(v, agreement=99.9, latency_ms=1.0, latency_ms_1t=2.0,
                      throughput_1t=v['throughput'] / 2, size_mb=1.0)
              for k, v in rows.items()})]
    text = deploy.render('deploy', dict(cpu_capabilities=['FP32', 'INT8'],
                                        models=models))
    assert '| unet | best speed-up >= 3x | met (onnxruntime_int8, 3.00x ' \
        'onnxruntime_fp32) |' in text
    assert '| unet | openvino_int8 loss <= 0.3 | **not met** (0.40) |' in text
    assert 'capabilities here: FP32, INT8' in text
