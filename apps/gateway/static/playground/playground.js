/* global document, fetch, FormData, Image, URL, performance, atob */
// The playground: draw or drop an image, send it to POST /v1/predict with include=input, show the answer.
// Plain browser JavaScript on purpose: no build step, nothing fetched from anywhere but this gateway.
'use strict';

const $ = (id) => document.getElementById(id);
const pad = $('pad');
const ctx = pad.getContext('2d');
const preview = $('upload-preview');
const alpha = $('alpha');
const samples = $('samples');
const status = $('status');
const result = $('result');

// ---- the drawing pad: dark ink on white paper, as a digit written on paper ----

/** Paints the pad white; a blank pad has nothing to predict. */
function clearPad() {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, pad.width, pad.height);
  drawn = false;
  upload = null;
  preview.hidden = true;
  pad.hidden = false;
}

let drawn = false;
/** The image dropped, pasted, chosen or picked from the gallery (a Blob), when it replaced the drawing. */
let upload = null;
let last = null;

/** Pad coordinates of a pointer event (the canvas is scaled by CSS). */
function point(e) {
  const r = pad.getBoundingClientRect();
  return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
}

function stroke(from, to) {
  ctx.strokeStyle = '#000';
  ctx.lineWidth = 18;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
}

pad.addEventListener('pointerdown', (e) => {
  if (upload) clearPad();
  pad.setPointerCapture(e.pointerId);
  last = point(e);
  stroke(last, last);
  drawn = true;
  e.preventDefault();
});
pad.addEventListener('pointermove', (e) => {
  if (!last) return;
  const p = point(e);
  stroke(last, p);
  last = p;
});
const endStroke = () => {
  if (!last) return;
  last = null;
  predict();
};
pad.addEventListener('pointerup', endStroke);
pad.addEventListener('pointercancel', endStroke);

// ---- images from elsewhere: file picker, drop, paste, gallery ----

/** Shows `blob` instead of the pad and predicts it. */
function useImage(blob, name) {
  if (!blob || !/^image\//.test(blob.type)) {
    say(`${name || 'That file'} is not an image.`, true);
    return;
  }
  upload = blob;
  if (preview.src) URL.revokeObjectURL(preview.src);
  preview.src = URL.createObjectURL(blob);
  preview.alt = `Image being predicted: ${name || 'pasted image'}`;
  preview.hidden = false;
  pad.hidden = true;
  predict();
}

$('file').addEventListener('change', (e) => {
  const f = e.target.files[0];
  if (f) useImage(f, f.name);
  e.target.value = '';
});
const zone = $('drop-zone');
zone.addEventListener('dragover', (e) => {
  e.preventDefault();
  zone.classList.add('over');
});
zone.addEventListener('dragleave', () => zone.classList.remove('over'));
zone.addEventListener('drop', (e) => {
  e.preventDefault();
  zone.classList.remove('over');
  const f = e.dataTransfer.files[0];
  if (f) useImage(f, f.name);
});
document.addEventListener('paste', (e) => {
  const item = [...e.clipboardData.items].find((i) => i.type.startsWith('image/'));
  if (item) useImage(item.getAsFile(), 'pasted image');
});

async function loadGallery() {
  const list = $('samples-list');
  const res = await fetch('/playground/samples.json');
  const { images } = await res.json();
  for (const img of images) {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.setAttribute('aria-label', `Predict sample ${img.name}`);
    const thumb = new Image();
    thumb.src = img.url;
    thumb.alt = '';
    const caption = document.createElement('span');
    caption.textContent = img.name;
    b.append(thumb, caption);
    b.addEventListener('click', async () => {
      const blob = await (await fetch(img.url)).blob();
      useImage(blob, img.name);
    });
    li.append(b);
    list.append(li);
  }
}

// ---- settings ----

function showAlpha() {
  const a = Number(alpha.value);
  $('alpha-out').textContent = a.toFixed(2);
  $('coverage').textContent = `${Math.round((1 - a) * 100)}%`;
}
alpha.addEventListener('input', showAlpha);
alpha.addEventListener('change', () => (drawn || upload) && predict());
samples.addEventListener('change', () => (drawn || upload) && predict());

/** The service's own defaults and bounds, from GET /v1/models. */
async function loadDefaults() {
  const res = await fetch('/v1/models');
  if (!res.ok) return;
  const u = (await res.json()).models[0]?.uncertainty ?? {};
  if (u.samplesRange) [samples.min, samples.max] = u.samplesRange;
  if (u.defaultSamples) samples.value = u.defaultSamples;
  if (u.defaultAlpha) alpha.value = u.defaultAlpha;
  showAlpha();
}

// ---- prediction ----

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

const padBlob = () => new Promise((resolve) => pad.toBlob(resolve, 'image/png'));

let seq = 0;
/** Sends the current image; an answer to an older request than the latest is dropped. */
async function predict() {
  if (!drawn && !upload) {
    say('Nothing to predict yet: draw a digit or choose an image.');
    return;
  }
  const mine = ++seq;
  const body = new FormData();
  body.append('image', upload ?? (await padBlob()), upload ? 'upload' : 'drawing.png');
  body.append('samples', samples.value);
  body.append('alpha', alpha.value);
  body.append('include', 'input');
  say('Predicting…');
  const started = performance.now();
  let res;
  let answer;
  try {
    res = await fetch('/v1/predict', { method: 'POST', body });
    answer = await res.json();
  } catch (e) {
    if (mine === seq) say(`The gateway did not answer (${e.message}).`, true);
    return;
  }
  if (mine !== seq) return;
  const ms = performance.now() - started;
  if (!res.ok) {
    say(`Not predicted: ${answer.error?.message ?? res.statusText} (${answer.error?.code ?? res.status})`, true);
    return;
  }
  show(answer, ms);
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;

function show(a, ms) {
  const r = a.result;
  const u = r.uncertainty;
  $('prediction').textContent = String(r.prediction);
  const trust = $('trust');
  if (u.outOfDistribution.flag) {
    trust.textContent = 'Not reliable: this does not look like a handwritten digit, so the answer means little.';
  } else if (u.reliable) {
    trust.textContent = `Reliable: the model is very likely right (${pct(u.reliability)} calibrated confidence).`;
  } else {
    trust.textContent = `Not reliable: treat this answer as a guess (${pct(u.reliability)} calibrated confidence).`;
  }
  trust.className = `trust ${u.reliable ? 'good' : 'bad'}`;
  $('reliability').textContent =
    `${pct(u.reliability)}: the calibrated chance that the answer is right and the image is a digit`;
  $('ood').textContent = u.outOfDistribution.flag
    ? `No: flagged out of distribution (score ${u.outOfDistribution.score.toFixed(2)})`
    : `Yes (out-of-distribution score ${u.outOfDistribution.score.toFixed(2)})`;
  const cover = `${Math.round((1 - u.alpha) * 100)}%`;
  $('set').textContent = u.abstained
    ? 'Withheld: the image does not look like a digit'
    : `{${u.predictionSet.join(', ')}}: contains the right digit ${cover} of the time`;
  $('used-samples').textContent = String(u.samples);
  $('latency').textContent =
    `${Math.round(ms)} ms in the browser; ${Math.round(a.timings.totalMs)} ms in the service ` +
    `(${Math.round(a.timings.inferenceMs)} ms of inference)`;
  drawBars(r.probabilities, r.prediction);
  if (a.input) drawInput(a.input);
  result.hidden = false;
  say(`Predicted ${r.prediction}. ${trust.textContent}`);
}

function drawBars(probs, best) {
  const bars = $('bars');
  bars.replaceChildren(
    ...probs.map((p, digit) => {
      const li = document.createElement('li');
      const id = `p${digit}`;
      const label = document.createElement('label');
      label.htmlFor = id;
      label.textContent = String(digit);
      const meter = document.createElement('meter');
      meter.id = id;
      meter.min = 0;
      meter.max = 1;
      meter.value = p;
      const value = document.createElement('span');
      value.textContent = pct(p);
      if (digit === best) li.className = 'best';
      li.append(label, meter, value);
      return li;
    }),
  );
}

/** Paints the grey bytes of the model input (white ink on black, as MNIST) on the 28x28 canvas. */
function drawInput(input) {
  const seen = $('seen');
  seen.width = input.width;
  seen.height = input.height;
  const grey = atob(input.data);
  const c = seen.getContext('2d');
  const img = c.createImageData(input.width, input.height);
  for (let i = 0; i < grey.length; i++) {
    const v = grey.charCodeAt(i);
    img.data.set([v, v, v, 255], i * 4);
  }
  c.putImageData(img, 0, 0);
}

$('clear').addEventListener('click', () => {
  clearPad();
  result.hidden = true;
  say('Cleared. Draw a digit or pick a sample.');
});
$('predict').addEventListener('click', () => predict());

clearPad();
showAlpha();
loadDefaults().catch(() => undefined);
loadGallery().catch(() => say('The sample gallery could not be loaded.', true));
