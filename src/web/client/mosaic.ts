import OpenSeadragon from 'openseadragon';
import { byId, h } from './lib/dom';
import { keepTimesFresh } from './lib/time';

const root = byId('mosaic');
const viewerEl = byId('viewer');

// The viewer takes the mosaic's shape (styles.css), instead of a tall box on a phone around a
// wide mosaic. A CSSOM property is not an inline style attribute: the CSP allows it.
const aspect = Number(root.dataset.width) / Number(root.dataset.height);
if (aspect > 0 && Number.isFinite(aspect)) {
  viewerEl.style.setProperty('--aspect', String(aspect));
  viewerEl.dataset.aspect = '';
}

// OpenSeadragon injects an inline <style> unless it finds `style[data-openseadragon-mobile-css]`;
// our CSP refuses inline styles (with a console error). An element of that name in a foreign
// namespace matches the selector but is no stylesheet. Its one rule is in styles.css.
const mark = document.createElementNS('urn:x-mosaicme', 'style');
mark.setAttribute('data-openseadragon-mobile-css', 'true');
document.head.append(mark);

const viewer = OpenSeadragon({
  element: viewerEl,
  tileSources: root.dataset.dzi ?? '',
  prefixUrl: '/assets/osd/',
  // Far past 1:1, so a single library photo can fill the screen.
  maxZoomPixelRatio: 6,
  showNavigator: true,
  navigatorPosition: 'BOTTOM_RIGHT',
  visibilityRatio: 0.5,
  constrainDuringPan: true,
  animationTime: 0.8,
  showRotationControl: false,
  gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true, scrollToZoom: true },
});
viewer.addHandler('open-failed', (e) => {
  viewerEl.replaceChildren(
    h(
      'p',
      { class: 'error', role: 'alert' },
      `The zoomable mosaic could not be opened (${e.message ?? 'unknown error'}).`,
    ),
  );
});

const share = byId<HTMLInputElement>('share-url');
const copyStatus = byId('copy-status');
byId('copy-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(share.value);
    copyStatus.textContent = 'Link copied.';
  } catch {
    // No clipboard access (plain http, or refused): select it so the person can copy it themselves.
    share.select();
    copyStatus.textContent = 'Press Ctrl+C (or ⌘C) to copy the selected link.';
  }
});
share.addEventListener('focus', () => share.select());

keepTimesFresh();
