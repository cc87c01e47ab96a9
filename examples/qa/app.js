// The QA review page. It talks only to its page server's `/api/qa/*`, which calls Kubernetes with the
// reviewer's own credentials: the bearer token given here, or the kubeconfig the server was started with.

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = 'shazam-qa-token';
let selected;

function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function call(path, init = {}) {
  const response = await fetch(`/api/qa/${path}`, {
    ...init,
    headers: { ...authHeaders(), ...(init.headers ?? {}) },
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message ?? `HTTP ${response.status}`);
  return body;
}

function element(tag, properties = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, properties);
  node.append(...children);
  return node;
}

async function showIdentity() {
  try {
    const me = await call('whoami');
    $('identity').textContent = `Signed in as ${me.username ?? 'unknown'} · namespace ${me.namespace}`;
  } catch (error) {
    $('identity').textContent = `Not signed in: ${error.message}`;
  }
}

async function loadQueue() {
  let reviews;
  try {
    ({ reviews } = await call('reviews'));
  } catch (error) {
    $('reviews').replaceChildren(element('li', { textContent: `Cannot list reviews: ${error.message}` }));
    return;
  }
  $('reviews').replaceChildren(
    ...reviews.map((review) => {
      const link = element('a', { href: `#${encodeURIComponent(review.name)}` }, [
        element('div', { textContent: review.submission }),
        element('div', { className: 'state', textContent: `${review.name} · ${review.decision}` }),
      ]);
      link.dataset.review = review.name;
      link.dataset.decision = review.decision;
      if (review.name === selected) link.classList.add('active');
      return element('li', {}, [link]);
    }),
  );
  if (reviews.length === 0) $('reviews').append(element('li', { textContent: 'No reviews.' }));
}

function renderFindings(validation) {
  const findings = validation?.findings ?? [];
  $('validation-summary').textContent = validation
    ? `${validation.verdict ?? ''} · ${validation.errors ?? 0} errors, ${validation.warnings ?? 0} warnings`
    : 'no report yet';
  $('findings').replaceChildren(
    ...findings.map((finding) =>
      element('tr', {}, [
        element('td', { textContent: finding.severity ?? '' }),
        element('td', { textContent: finding.stage ?? '' }),
        element('td', { textContent: finding.code ?? '' }),
        element('td', { textContent: finding.message ?? '' }),
      ]),
    ),
  );
  if (findings.length === 0)
    $('findings').append(element('tr', {}, [element('td', { colSpan: 4, textContent: 'No findings.' })]));
  renderRepair(validation?.repair);
}

/** A repaired candidate: what the artist's delivery failed on and what the pipeline changed. */
function renderRepair(repair) {
  $('repair').hidden = !repair;
  $('repair-note').textContent = repair
    ? `Repaired candidate: the artist's delivery failed on ${repair.sourceErrors.join(', ')}. ` +
      'This version is the delivery with the changes below (the delivery itself is unchanged); ' +
      'approve it, or reject both.'
    : '';
  $('repair-changes').replaceChildren(
    ...(repair?.changes ?? []).map((change) =>
      element('li', {}, [element('code', { textContent: change.fix }), ` ${change.summary}`]),
    ),
  );
}

/** The render's fill check: a note under the turntable and the frames that miss it outlined. */
function renderFill(render) {
  const note = $('fill-note');
  const check = render?.fillCheck;
  note.hidden = !check;
  note.className = check && !check.passed ? 'fill-note miss' : 'fill-note';
  note.textContent = check ? `Fill (${render.name}): ${render.fillMessage ?? ''}` : '';
  const missed = new Set((check?.misses ?? []).map((miss) => miss.frame));
  const images = $('frames').querySelectorAll('img');
  images.forEach((image, index) => {
    const miss = check?.misses?.find((m) => m.frame === index);
    image.classList.toggle('fill-miss', missed.has(index));
    if (miss)
      image.title = `frame ${index} (${miss.angleDeg}°) fills ${(miss.fill * 100).toFixed(1)}%, ${(miss.shortBy * 100).toFixed(1)} points short`;
  });
}

/** The turntable storefront profiles judged on the render: each met or missed, with its reasons. */
function renderProfiles(render) {
  const profiles = render?.profiles ?? [];
  const list = $('profiles');
  list.hidden = profiles.length === 0;
  list.replaceChildren(
    ...profiles.map((profile) => {
      const item = element('li', { className: profile.met ? 'profile met' : 'profile missed' }, [
        element('code', { textContent: profile.id }),
        ` ${profile.met ? 'met' : `missed (${profile.missed.join(', ')})`}`,
      ]);
      item.dataset.profile = profile.id;
      item.dataset.met = String(profile.met);
      if (profile.reasons.length > 0)
        item.append(
          element(
            'ul',
            { className: 'reasons' },
            profile.reasons.map((reason) => element('li', { textContent: reason })),
          ),
        );
      return item;
    }),
  );
}

// Each reference photo beside its best turntable frame, both cut to the square the scores compared, and an
// overlay of the two (photo in magenta, render in green: where they agree the overlay is grey).
const FIDELITY_SIDE = 160;

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`cannot load ${src}`));
    image.src = src;
  });
}

function cropCanvas(image, crop, label) {
  const canvas = element('canvas', { width: FIDELITY_SIDE, height: FIDELITY_SIDE, title: label });
  canvas.setAttribute('aria-label', label);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = '#fff';
  context.fillRect(0, 0, FIDELITY_SIDE, FIDELITY_SIDE);
  const [x0, y0, x1, y1] = crop ?? [0, 0, 1, 1];
  const width = image.naturalWidth;
  const height = image.naturalHeight;
  // The square may reach past the photo's edges: draw only the part inside it, where it belongs.
  const sx = Math.max(0, x0 * width);
  const sy = Math.max(0, y0 * height);
  const ex = Math.min(width, x1 * width);
  const ey = Math.min(height, y1 * height);
  const scaleX = FIDELITY_SIDE / ((x1 - x0) * width);
  const scaleY = FIDELITY_SIDE / ((y1 - y0) * height);
  if (ex > sx && ey > sy) {
    context.drawImage(
      image,
      sx,
      sy,
      ex - sx,
      ey - sy,
      (sx - x0 * width) * scaleX,
      (sy - y0 * height) * scaleY,
      (ex - sx) * scaleX,
      (ey - sy) * scaleY,
    );
  }
  return canvas;
}

function overlayCanvas(photo, frame) {
  const canvas = element('canvas', { width: FIDELITY_SIDE, height: FIDELITY_SIDE, className: 'overlay' });
  canvas.setAttribute('aria-label', 'Overlay: photo magenta, render green');
  const a = photo.getContext('2d').getImageData(0, 0, FIDELITY_SIDE, FIDELITY_SIDE).data;
  const b = frame.getContext('2d').getImageData(0, 0, FIDELITY_SIDE, FIDELITY_SIDE).data;
  const context = canvas.getContext('2d');
  const out = context.createImageData(FIDELITY_SIDE, FIDELITY_SIDE);
  for (let i = 0; i < a.length; i += 4) {
    const grey = (d) => 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2];
    const p = grey(a);
    const r = grey(b);
    out.data[i] = p;
    out.data[i + 1] = r;
    out.data[i + 2] = p;
    out.data[i + 3] = 255;
  }
  context.putImageData(out, 0, 0);
  return canvas;
}

function fileName(path) {
  return decodeURIComponent(path.split('?')[0]).split('/').pop();
}

const score = (value, digits) => (value === undefined ? '–' : value.toFixed(digits));

async function fidelityCard(match, files) {
  const photoUrl = files.references.find((url) => fileName(url) === fileName(match.reference));
  const frameName = String(match.bestFrame).padStart(3, '0');
  const frameUrl = files.frames.find((url) => fileName(url).startsWith(`${frameName}.`));
  const view = `frame ${match.bestFrame} · ${match.angleDeg}°${match.elevationDeg === undefined ? '' : ` · elevation ${match.elevationDeg}°`}`;
  const scores = element('table', { className: 'scores' }, [
    element(
      'tbody',
      {},
      [
        ['Silhouette IoU', score(match.scores.silhouetteIoU, 3)],
        ['Colour ΔE00', score(match.scores.colourDeltaE, 1)],
        ['SSIM', score(match.scores.structuralSimilarity, 3)],
        ['Descriptor', score(match.scores.descriptorSimilarity, 3)],
      ].map(([label, value]) =>
        element('tr', {}, [element('th', { textContent: label }), element('td', { textContent: value })]),
      ),
    ),
  ]);
  const card = element('article', { className: 'fidelity-card' }, [
    element('header', {}, [
      element('span', { className: 'name', textContent: match.reference }),
      element('span', { className: `badge ${match.verdict}`, textContent: match.verdict }),
    ]),
  ]);
  card.dataset.reference = match.reference;
  card.dataset.verdict = match.verdict;
  const images = element('div', { className: 'fidelity-images' });
  card.append(
    images,
    element('p', { className: 'meta', textContent: `${view}${match.closeUp ? ' · close-up' : ''}` }),
    scores,
  );
  if (match.reasons?.length)
    card.append(
      element(
        'ul',
        { className: 'reasons' },
        match.reasons.map((reason) => element('li', { textContent: reason })),
      ),
    );
  try {
    if (!photoUrl || !frameUrl) throw new Error('photo or frame not found');
    const [photo, frame] = await Promise.all([loadImage(photoUrl), loadImage(frameUrl)]);
    const photoCanvas = cropCanvas(photo, match.referenceCrop, `Reference ${match.reference}`);
    const frameCanvas = cropCanvas(frame, match.frameCrop, `Turntable frame ${match.bestFrame}`);
    images.append(
      element('figure', {}, [photoCanvas, element('figcaption', { textContent: 'Reference' })]),
      element('figure', {}, [frameCanvas, element('figcaption', { textContent: 'Best frame' })]),
      element('figure', {}, [
        overlayCanvas(photoCanvas, frameCanvas),
        element('figcaption', { textContent: 'Overlay (photo magenta, render green)' }),
      ]),
    );
  } catch (error) {
    images.append(element('p', { className: 'placeholder', textContent: `No images: ${error.message}` }));
  }
  return card;
}

async function renderFidelity(fidelity, files) {
  const references = fidelity?.references ?? [];
  const counts = ['Match', 'Check', 'Mismatch'].map(
    (verdict) => `${references.filter((r) => r.verdict === verdict).length} ${verdict}`,
  );
  $('fidelity-note').textContent = fidelity
    ? `${counts.join(' · ')}${fidelity.error ? ` · ${fidelity.error}` : ''}`
    : 'not computed for this revision';
  $('fidelity').replaceChildren(
    ...(await Promise.all(references.map((match) => fidelityCard(match, files)))),
  );
}

async function showReview(name) {
  selected = name;
  $('decision-status').textContent = '';
  $('decision-status').className = '';
  let details;
  try {
    details = await call(`reviews/${encodeURIComponent(name)}`);
  } catch (error) {
    $('empty').hidden = false;
    $('empty').textContent = `Cannot open ${name}: ${error.message}`;
    $('review').hidden = true;
    return;
  }
  const { review, submission, files } = details;
  $('empty').hidden = true;
  $('review').hidden = false;
  $('review').dataset.review = review.name;
  $('review-title').textContent = submission?.title ?? review.submission;
  $('review-meta').textContent = submission
    ? `${submission.asin} · revision ${submission.revision} · ${submission.brand ?? ''} · by ${submission.artist ?? 'unknown'} · submission ${submission.name} (${submission.phase ?? 'Pending'})`
    : `submission ${review.submission} (not found)`;
  const badge = $('decision-badge');
  badge.textContent = review.decision;
  badge.className = `badge ${review.decision}`;
  const candidate = $('candidate');
  if (files.glbUrl) candidate.src = files.glbUrl;
  else candidate.removeAttribute('src');
  // The poster approval publishes: also what the viewer shows while the model loads.
  const poster = $('poster');
  if (files.posterUrl) {
    poster.src = files.posterUrl;
    candidate.poster = files.posterUrl;
  } else {
    poster.removeAttribute('src');
    candidate.removeAttribute('poster');
  }
  $('poster-block').hidden = !files.posterUrl;
  $('references').replaceChildren(
    ...files.references.map((src, index) =>
      element('img', { src, alt: `Reference photo ${index + 1}`, loading: 'lazy' }),
    ),
  );
  if (files.references.length === 0)
    $('references').append(element('p', { textContent: 'No reference photos.' }));
  $('frames').replaceChildren(
    ...files.frames.map((src, index) =>
      element('img', { src, alt: `Turntable frame ${index}`, loading: 'lazy' }),
    ),
  );
  $('frames-note').textContent =
    files.frames.length === 0
      ? 'not rendered yet: the candidate is rendered before its review opens'
      : files.framesFrom === submission?.revision
        ? `${files.frames.length} frames of this candidate, published with it on approval`
        : `${files.frames.length} frames of the published revision ${files.framesFrom}, for comparison`;
  renderFill(details.render);
  renderProfiles(details.render);
  renderFindings(submission?.validation);
  // Images load in the background: the decision does not wait for them.
  renderFidelity(details.fidelity, files).catch((error) => {
    $('fidelity-note').textContent = `cannot show: ${error.message}`;
  });
  const decided = review.decision !== 'Pending';
  $('approve').disabled = decided;
  $('reject').disabled = decided;
  $('comments').disabled = decided;
  $('comments').value = decided ? (review.comments ?? '') : '';
  if (decided) $('decision-status').textContent = `${review.decision} by ${review.reviewer ?? 'someone'}.`;
  await loadQueue();
}

async function decide(decision) {
  const comments = $('comments').value.trim();
  const status = $('decision-status');
  if (decision === 'Rejected' && !comments) {
    status.textContent = 'Say what the artist must fix before rejecting.';
    status.className = 'error';
    $('comments').focus();
    return;
  }
  status.textContent = 'Saving…';
  status.className = '';
  try {
    const review = await call(`reviews/${encodeURIComponent(selected)}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision, comments }),
    });
    await showReview(review.name);
    $('decision-status').textContent = `${review.decision} by ${review.reviewer}.`;
  } catch (error) {
    status.textContent = error.message;
    status.className = 'error';
  }
}

// model-viewer's load event marks the model as shown, for people (the spinner goes) and for tests.
$('candidate').addEventListener('load', (event) => {
  event.target.dataset.loaded = event.target.src;
});
$('candidate').addEventListener('error', (event) => {
  event.target.dataset.error = event.detail?.type ?? 'error';
});
$('approve').addEventListener('click', () => decide('Approved'));
$('reject').addEventListener('click', () => decide('Rejected'));
$('refresh').addEventListener('click', () => loadQueue());
$('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token').value.trim();
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  $('token').value = '';
  showIdentity();
  loadQueue();
});
window.addEventListener('hashchange', () => {
  const name = decodeURIComponent(location.hash.slice(1));
  if (name) showReview(name);
});

await showIdentity();
await loadQueue();
if (location.hash.length > 1) await showReview(decodeURIComponent(location.hash.slice(1)));
