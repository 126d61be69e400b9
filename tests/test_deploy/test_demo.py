"""tools/demo.py: the web demo over exported models, through its HTTP API
and in a real headless Chromium (strokes drawn with pointer events)."""
import base64
import os
import shutil
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest

from m2nist_core.inference import DeployedDetector, DeployedModel
from m2nist_core.inference.demo import MIN_PIXELS, DemoModels
from m2nist_core.inference.visualize import digits_found
from m2nist_core.naming import LOW_CONFIDENCE
from ..conftest import REPO, load_tool

pytestmark = pytest.mark.slow  # exports models

SEG = 'onnxruntime_static-64x84'


@pytest.fixture(scope='module')
def demo_exports(exports, det_export):
    return exports('fastscnn', SEG), det_export


@pytest.fixture(scope='module')
def client(demo_exports):
    app = load_tool('demo').create_app(DemoModels(*demo_exports), max_kb=64)
    return app.test_client()


def png(img: np.ndarray) -> bytes:
    return cv2.imencode('.png', img)[1].tobytes()


def answer(img: np.ndarray, seg: str, det: str) -> dict:
    """What the page must show for ``img``, from the exports directly."""
    label, digits = DeployedModel(seg).predict([img])[0]
    dets = DeployedDetector(det)([img], score_thr=0.3)[0]
    order = np.argsort(dets['bboxes'][:, 0], kind='stable')
    return dict(pixels=digits_found(label, MIN_PIXELS),
                named=[(d.label, list(d.box)) for d in digits],
                objects=[(int(dets['labels'][i]),
                          round(float(dets['scores'][i]), 3)) for i in order])


def test_predict_answers_with_the_exports_predictions(client, demo_exports,
                                                      images):
    r = client.post('/predict?name=a.png&invert=no', data=png(images[0]))
    assert r.status_code == 200, r.json
    reply = r.json
    want = answer(images[0], *demo_exports)
    assert {c['digit']: c['pixels'] for c in reply['classes']
            if c['pixels']} == want['pixels']
    assert [(o['digit'], o['score']) for o in reply['detection']['objects']] \
        == want['objects']
    assert abs(sum(c['share'] for c in reply['classes']) - 100) < 0.5 \
        or not want['pixels']
    for key, shape in (('segmentation', (298, 336, 3)),
                       ('detection', (298, 336, 3))):
        drawn = cv2.imdecode(np.frombuffer(base64.b64decode(
            reply[key]['png']), np.uint8), cv2.IMREAD_COLOR)
        assert drawn.shape == shape
    assert reply['summary'].startswith('segmentation: ')
    # each digit as the classifier saw it, with its three likeliest names
    named = reply['naming']['digits']
    assert [(d['digit'], d['box']) for d in named] == want['named']
    assert all(len(d['top']) == 3 and d['top'][0][0] == d['digit'] and
               d['unsure'] == (d['probability'] < LOW_CONFIDENCE)
               for d in named)
    crops = cv2.imdecode(np.frombuffer(base64.b64decode(
        reply['naming']['png']), np.uint8), cv2.IMREAD_COLOR)
    assert crops.shape[0] > 112 and crops.shape[1] >= 112 * len(named)
    assert ('named, left to right: ' in reply['summary']) and client.get(
        '/').status_code == 200


@pytest.mark.parametrize('body,query,status,match', [
    (b'not an image', 'name=notes.png', 400,
     'notes.png: cannot be decoded as an image'),
    (b'', 'name=empty.png', 400, 'empty.png: cannot be decoded'),
    (png(np.zeros((100, 100), np.uint8)), 'name=square.png', 400,
     'square.png: 100x100 pixels; the segmentation model takes 84x64'),
    (png(np.full((64, 84), 128, np.uint8)), 'name=grey.png', 400,
     'grey.png: neither light digits on a dark background'),
    (os.urandom(65 * 1024), 'name=huge.png', 413,
     'the upload is larger than 64 KiB'),
    (png(np.zeros((64, 84), np.uint8)), 'invert=sideways', 400,
     "invert must be auto, yes or no, got 'sideways'"),
])
def test_bad_uploads_get_a_message(client, body, query, status, match):
    r = client.post(f'/predict?{query}', data=body)
    assert r.status_code == status and match in r.json['error']
    assert client.post('/predict?invert=no', data=png(
        np.zeros((64, 84), np.uint8))).status_code == 200  # still serving


def test_demo_refuses_swapped_exports(demo_exports, capsys):
    seg, det = demo_exports
    assert load_tool('demo').main([det, '--port', '0']) == 1
    assert 'a detector, expected a segmentation export' in \
        capsys.readouterr().err


def browser_paths():
    chrome = next(filter(None, map(shutil.which, (
        'chromium', 'chromium-browser', 'google-chrome'))), None)
    return chrome, shutil.which('chromedriver')


@pytest.fixture(scope='module')
def server(demo_exports):
    proc = subprocess.Popen(
        [sys.executable, 'tools/demo.py', demo_exports[0], '--det',
         demo_exports[1], '--port', '0', '--max-kb', '64'], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if 'http://' not in line:
        proc.kill()
        raise AssertionError(f'demo did not start: {line}'
                             f'{proc.stderr.read()[-3000:]}')
    yield line.split()[3]
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope='module')
def browser():
    chrome, driver = browser_paths()
    if not (chrome and driver):
        pytest.skip('no Chromium and chromedriver (Debian: apt-get install '
                    'chromium chromium-driver)')
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chrome
    for arg in ('--headless=new', '--no-sandbox', '--disable-gpu',
                '--disable-dev-shm-usage', '--window-size=1400,900'):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=Service(driver), options=options)
    yield browser
    browser.quit()


def wait_state(browser, state: str, timeout: float = 60) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if browser.execute_script('return document.body.dataset.state') \
                == state:
            return
        time.sleep(0.1)
    raise AssertionError(f'page never became {state!r}: ' +
                         browser.find_element('id', 'status').text)


def draw(browser, strokes) -> None:
    """Drag the pointer along each stroke (points in canvas pixels)."""
    from selenium.webdriver import ActionChains
    pad = browser.find_element('id', 'pad')
    scale = pad.size['width'] / 84
    for points in strokes:
        actions = ActionChains(browser, duration=10)
        x0, y0 = points[0]
        # offsets are from the element's centre
        actions.move_to_element_with_offset(
            pad, (x0 - 42) * scale, (y0 - 32) * scale).click_and_hold()
        for (xa, ya), (xb, yb) in zip(points, points[1:]):
            actions.move_by_offset((xb - xa) * scale, (yb - ya) * scale)
        actions.release().perform()
        wait_state(browser, 'ready')


def canvas(browser) -> np.ndarray:
    url = browser.execute_script(
        "return document.getElementById('pad').toDataURL('image/png')")
    data = base64.b64decode(url.split(',', 1)[1])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)


def test_drawn_digits_are_predicted_on_the_page(browser, server,
                                                demo_exports, tmp_path):
    browser.get(server)
    wait_state(browser, 'ready')
    one = [(20, 12), (20, 30), (20, 50)]
    zero = [(50, 14), (40, 22), (40, 42), (50, 50), (60, 42), (60, 22),
            (50, 14)]
    draw(browser, [one, zero])
    img = canvas(browser)
    assert img.shape == (64, 84) and (img > 0).sum() > 100  # ink landed
    assert img[30, 20] > 0 and img[30, 40] > 0 and img[5, 5] == 0
    reply = browser.execute_script('return window.lastReply')
    want = answer(img, *demo_exports)
    assert {c['digit']: c['pixels'] for c in reply['classes']
            if c['pixels']} == want['pixels']
    assert [(o['digit'], o['score']) for o in reply['detection']['objects']] \
        == want['objects']
    rows = browser.find_elements('css selector', '#classes tbody tr')
    assert [int(r.get_attribute('data-digit')) for r in rows] == \
        [c['digit'] for c in reply['classes']]
    summary = browser.find_element('id', 'summary').text
    assert summary == reply['summary'] and summary.startswith('segmentation')
    for name in ('seg', 'det'):
        assert browser.execute_script(
            f"return document.getElementById('{name}').naturalWidth") == 336
    browser.save_screenshot(str(tmp_path / 'demo.png'))
    assert cv2.imread(str(tmp_path / 'demo.png')) is not None


def test_bad_files_show_a_message_on_the_page(browser, server, tmp_path):
    browser.get(server)
    wait_state(browser, 'ready')
    files = {'notes.png': b'not an image',
             'square.png': png(np.zeros((100, 100), np.uint8)),
             'huge.png': os.urandom(65 * 1024)}
    messages = {'notes.png': 'notes.png: cannot be decoded as an image',
                'square.png': 'square.png: 100x100 pixels',
                'huge.png': 'larger than 64 KiB'}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        browser.find_element('id', 'file').send_keys(str(path))
        wait_state(browser, 'error')
        assert messages[name] in browser.find_element('id', 'status').text
        browser.execute_script("document.getElementById('file').value = ''")
    draw(browser, [[(30, 20), (30, 45)]])  # the server still answers
    assert browser.find_element('id', 'summary').text.startswith(
        'segmentation')
