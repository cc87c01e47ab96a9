// The product page: the published model in <model-viewer>, a drag-to-spin 360° view from the turntable
// frames, and text and photo search, all through the search API (same origin, `/v1/...`).

const params = new URLSearchParams(location.search);
/** Base URL of the search API; the page server forwards `/v1` there, `?api=` points elsewhere. */
const apiBase = (params.get('api') ?? '').replace(/\/+$/, '');

const $ = (id) => document.getElementById(id);

function showMessage(text) {
  const message = $('message');
  message.textContent = text;
  message.hidden = !text;
}

async function api(path, init) {
  const response = await fetch(`${apiBase}${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message ?? `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---- 360° spin viewer ------------------------------------------------------------------------------

/** Pixels of horizontal drag that advance the turntable by one frame. */
const PIXELS_PER_FRAME = 8;

/**
 * Frame under the pointer after a drag of `dx` pixels from `startFrame`. Dragging right turns the product
 * the way a hand would spin a turntable: frames are counter-clockwise, so the index goes down.
 */
export function frameAfterDrag(startFrame, dx, frameCount) {
  const steps = Math.round(dx / PIXELS_PER_FRAME);
  return (((startFrame - steps) % frameCount) + frameCount) % frameCount;
}

function setupSpin(frames) {
  const image = $('spin-frame');
  const label = $('spin-index');
  // Preload every frame so dragging never waits on the network.
  const loaded = frames.map((src) => {
    const preload = new Image();
    preload.src = src;
    return preload;
  });
  let current = 0;
  const show = (index) => {
    current = index;
    image.src = loaded[index].src;
    image.dataset.frame = String(index);
    label.textContent = `frame ${index + 1} of ${frames.length}`;
  };
  show(0);
  let drag;
  image.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, frame: current };
    image.setPointerCapture(event.pointerId);
  });
  image.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const next = frameAfterDrag(drag.frame, event.clientX - drag.x, frames.length);
    if (next !== current) show(next);
  });
  const end = () => {
    drag = undefined;
  };
  image.addEventListener('pointerup', end);
  image.addEventListener('pointercancel', end);
}

function setupTabs() {
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      for (const other of document.querySelectorAll('.tab')) other.classList.toggle('active', other === tab);
      $('viewer').hidden = tab.dataset.view !== 'model';
      $('spin').hidden = tab.dataset.view !== 'spin';
    });
  }
}

// ---- product ---------------------------------------------------------------------------------------

async function showProduct(asin) {
  let asset;
  try {
    asset = await api(`/v1/assets/${encodeURIComponent(asin)}`);
  } catch (error) {
    showMessage(
      error.status === 404
        ? `No published 3D model for ${asin} yet.`
        : `Could not load ${asin}: ${error.message}`,
    );
    return;
  }
  document.title = `${asset.product.title} · SHAZAM store`;
  $('title').textContent = asset.product.title;
  $('brand').textContent = asset.product.brand;
  $('description').textContent = asset.product.description ?? '';
  $('asin').textContent = asset.asin;
  $('version').textContent = String(asset.version);
  $('published-at').textContent = new Date(asset.publishedAt).toLocaleString();
  const tags = $('tags');
  tags.replaceChildren(
    ...(asset.product.tags ?? []).map((tag) => {
      const item = document.createElement('li');
      item.textContent = tag;
      return item;
    }),
  );
  $('download').href = asset.glbUrl;
  const viewer = $('viewer');
  // model-viewer's load event: the model replaced the poster (tests wait on this attribute).
  viewer.addEventListener('load', () => {
    viewer.dataset.loaded = viewer.src;
  });
  viewer.addEventListener('error', (event) => {
    viewer.dataset.error = event.detail?.type ?? 'error';
  });
  viewer.poster = asset.posterUrl;
  viewer.alt = `3D model of ${asset.product.title}`;
  viewer.src = asset.webGlbUrl;
  // AR on iOS: AR Quick Look opens the USDZ; Android's Scene Viewer and WebXR use the GLB.
  if (asset.usdzUrl) {
    viewer.setAttribute('ios-src', asset.usdzUrl);
    viewer.setAttribute('ar', '');
    viewer.setAttribute('ar-modes', 'webxr scene-viewer quick-look');
  }
  if (asset.spin.frameCount > 0) setupSpin(asset.spin.frames);
  else document.querySelector('[data-view="spin"]').hidden = true;
  $('product').hidden = false;
}

// ---- search ----------------------------------------------------------------------------------------

function showHits(title, hits) {
  $('results-title').textContent = title;
  $('hits').replaceChildren(
    ...hits.map((hit) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = `?asin=${encodeURIComponent(hit.asin)}${apiBase ? `&api=${encodeURIComponent(apiBase)}` : ''}`;
      link.dataset.asin = hit.asin;
      const poster = document.createElement('img');
      poster.src = hit.posterUrl;
      poster.alt = '';
      poster.loading = 'lazy';
      const name = document.createElement('div');
      name.textContent = hit.title;
      const brand = document.createElement('div');
      brand.className = 'hit-brand';
      brand.textContent = hit.brand;
      link.append(poster, name, brand);
      item.append(link);
      return item;
    }),
  );
  if (hits.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = 'Nothing found.';
    $('hits').append(empty);
  }
  $('results').hidden = false;
}

function setupSearch() {
  $('text-search').addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = $('query').value.trim();
    if (!q) return;
    try {
      const result = await api(`/v1/search?q=${encodeURIComponent(q)}&limit=20`);
      showHits(`Results for “${q}”`, result.hits);
    } catch (error) {
      showMessage(`Search failed: ${error.message}`);
    }
  });
  $('photo').addEventListener('change', async () => {
    const file = $('photo').files[0];
    if (!file) return;
    try {
      const result = await api('/v1/search/image?limit=10', {
        method: 'POST',
        headers: { 'content-type': file.type || 'image/jpeg' },
        body: file,
      });
      showHits(`Products that look like ${file.name}`, result.hits);
    } catch (error) {
      showMessage(`Photo search failed: ${error.message}`);
    }
    $('photo').value = '';
  });
}

setupTabs();
setupSearch();
const asin = params.get('asin');
if (asin) showProduct(asin);
else showMessage('Search for a product, or open one with ?asin=<ASIN>.');
