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
      ? 'rendered after approval; none yet for this asset'
      : files.framesFrom === submission?.revision
        ? `${files.frames.length} frames of this revision`
        : `${files.frames.length} frames of the published revision ${files.framesFrom}, for comparison`;
  renderFill(details.render);
  renderFindings(submission?.validation);
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
