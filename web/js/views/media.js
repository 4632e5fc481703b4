// Media messages: picking, measuring and uploading files, and showing them in bubbles.

import { h, icon } from '../dom.js';
import { authorizedUrl } from '../api.js';
import { size as formatSize, duration } from '../format.js';

export function kindOf(file) {
  const type = file.type || '';
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'file';
}

/** Width/height of an image, duration (and size) of audio/video, read locally before the upload. */
export function measure(file, kind) {
  if (kind === 'file') return Promise.resolve({});
  const url = URL.createObjectURL(file);
  return new Promise((resolve) => {
    const done = (info) => { URL.revokeObjectURL(url); resolve(info); };
    const timer = setTimeout(() => done({}), 5000);
    if (kind === 'image') {
      const img = new Image();
      img.onload = () => { clearTimeout(timer); done({ width: img.naturalWidth, height: img.naturalHeight }); };
      img.onerror = () => { clearTimeout(timer); done({}); };
      img.src = url;
      return;
    }
    const el = document.createElement(kind === 'video' ? 'video' : 'audio');
    el.preload = 'metadata';
    el.onloadedmetadata = () => {
      clearTimeout(timer);
      const info = {};
      if (Number.isFinite(el.duration)) info.durationMs = Math.round(el.duration * 1000);
      if (kind === 'video' && el.videoWidth) { info.width = el.videoWidth; info.height = el.videoHeight; }
      done(info);
    };
    el.onerror = () => { clearTimeout(timer); done({}); };
    el.src = url;
  });
}

export const fileUrl = (store, payload) => authorizedUrl(`/api/files/${encodeURIComponent(payload.fileId)}`, store.token());

/** Fits a box of at most maxW x maxH keeping the aspect ratio, so the space is reserved before the bytes arrive. */
function fit(w, hgt, maxW, maxH) {
  if (!w || !hgt) return null;
  const scale = Math.min(1, maxW / w, maxH / hgt);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(hgt * scale)) };
}

/** The content of a media bubble. */
export function mediaContent(store, m, { openImage }) {
  const p = m.payload || {};
  if (!p.fileId) return h('p', { class: 'msg-text muted', text: `[${m.kind} without a file]` });
  const url = fileUrl(store, p);
  const name = p.name || m.kind;
  switch (m.kind) {
    case 'image': {
      const box = fit(p.width, p.height, 320, 320) ?? { width: 240, height: 180 };
      const img = h('img', { src: url, alt: name, width: box.width, height: box.height, loading: 'lazy', decoding: 'async' });
      return h('button', { type: 'button', class: 'media-image', 'aria-label': `Image ${name}, open full size`, onclick: () => openImage(url, name) }, img);
    }
    case 'audio':
      return h('div', { class: 'media-audio' },
        h('audio', { controls: true, preload: 'metadata', src: url, 'aria-label': `Audio ${name}` }),
        h('span', { class: 'media-caption', text: [name, duration(p.durationMs)].filter(Boolean).join(' · ') }));
    case 'video': {
      const box = fit(p.width, p.height, 360, 320) ?? { width: 320, height: 180 };
      return h('video', { class: 'media-video', controls: true, preload: 'metadata', playsinline: true, src: url, width: box.width, height: box.height,
        'aria-label': `Video ${name}` });
    }
    default:
      return h('a', { class: 'file-card', href: url, download: name, 'aria-label': `Download ${name}, ${formatSize(p.size)}` },
        h('span', { class: 'file-icon' }, icon('file')),
        h('span', { class: 'file-text' }, h('span', { class: 'file-name', text: name }), h('span', { class: 'file-size', text: formatSize(p.size) })),
        icon('download'));
  }
}
