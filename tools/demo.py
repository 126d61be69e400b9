"""Draw digits in the browser and see what the exported models make of them.

    python tools/demo.py work_dirs/deploy/fastscnn_ort \\
        --det work_dirs/deploy/rtmdet_ort          # then open the printed URL

A page served on 127.0.0.1 only: draw digits on a 64x84 canvas or drop an
image on it, and see the class mask, the detector's boxes and per digit its
share of the pixels and best score (docs/visualization.md). The exports run
by m2nist_core, without torch.
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.serving import make_server

from m2nist_core import PALETTE, DataFileError
from m2nist_core.inference.demo import DemoModels, UploadError

PAGE = osp.join(osp.dirname(osp.abspath(__file__)), 'demo.html')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('seg', help='segmentation export (tools/deploy.py '
                        'work dir)')
    parser.add_argument('--det', help='detector export')
    parser.add_argument('--port', type=int, default=8000,
                        help='0 picks a free port')
    parser.add_argument('--max-kb', type=int, default=2048,
                        help='largest upload accepted, in KiB')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='the score a detected box needs to be shown')
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error('--port must be in 0-65535')
    if args.max_kb < 1 or not 0 <= args.score_thr <= 1:
        parser.error('--max-kb must be >= 1 and --score-thr in [0, 1]')
    return args


def create_app(models: DemoModels, max_kb: int = 2048) -> Flask:
    """The demo's web app: ``GET /`` the page, ``POST /predict`` a picture
    (the request body: the bytes of an image file; ``?name=`` and
    ``?invert=auto|yes|no``) answered with :meth:`DemoModels.predict`'s
    JSON, or ``{"error": message}`` with status 400 or 413."""
    app = Flask(__name__)
    app.config['MAX_CONTENT_LENGTH'] = max_kb * 1024
    with open(PAGE, encoding='utf-8') as f:
        page = f.read()
    palette = ['#%02x%02x%02x' % tuple(c) for c in PALETTE[:10]]
    page = page.replace('__PALETTE__', str(palette)).replace(
        '__SIZE__', f'{models.hw[1]}x{models.hw[0]}').replace(
            '__MAX_KB__', str(max_kb))

    @app.get('/')
    def index() -> Response:
        return Response(page, mimetype='text/html')

    @app.post('/predict')
    def predict():
        name = request.args.get('name', 'upload')[:200]
        invert = request.args.get('invert', 'auto')
        if invert not in ('auto', 'yes', 'no'):
            return jsonify(error=f'invert must be auto, yes or no, got '
                           f'{invert!r}'), 400
        try:
            return jsonify(models.predict(request.get_data(), name, invert))
        except UploadError as e:
            return jsonify(error=str(e)), 400

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_):
        return jsonify(error=f'the upload is larger than {max_kb} KiB'), 413

    return app


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        models = DemoModels(args.seg, args.det, args.score_thr)
    except (DataFileError, FileNotFoundError, ValueError,
            RuntimeError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    server = make_server('127.0.0.1', args.port,
                         create_app(models, args.max_kb), threaded=True)
    print(f'm2nist_mm demo on http://127.0.0.1:{server.server_port}/ '
          f'(segmentation: {models.seg.work_dir} [{models.seg.backend}]'
          + (f', detection: {models.det.work_dir} [{models.det.backend}]'
             if models.det else '') + '); Ctrl+C stops it', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == '__main__':
    sys.exit(main())
