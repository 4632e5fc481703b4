// Formatting of times, sizes and names for display.

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const longDateFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export const time = (ts) => timeFmt.format(ts);
export const fullTime = (ts) => fullFmt.format(ts);

export function dayKey(ts) {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

function startOfDay(ts) {
  const d = new Date(ts);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** "Today", "Yesterday", or the date. */
export function dayLabel(ts, now = Date.now()) {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return longDateFmt.format(ts);
}

/** Short stamp for the conversation list: time today, weekday this week, else date. */
export function listStamp(ts, now = Date.now()) {
  const days = Math.round((startOfDay(now) - startOfDay(ts)) / 86400000);
  if (days === 0) return timeFmt.format(ts);
  if (days < 7) return weekdayFmt.format(ts);
  return dateFmt.format(ts);
}

export function size(bytes) {
  if (!Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function duration(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  // whole seconds, counted down as players do (a 1.5 s clip reads 0:01 there too)
  const s = Math.max(1, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || '?').slice(0, 2);
  return letters.toUpperCase();
}

/** A stable colour slot (0-7) for a user or group, used as a CSS class. */
export function colorSlot(key) {
  let hash = 0;
  for (const ch of String(key)) hash = (hash * 31 + ch.codePointAt(0)) | 0;
  return Math.abs(hash) % 8;
}

/** One-line preview of a message for lists and notifications. */
export function preview(msg) {
  if (!msg) return '';
  if (msg.removed || msg.kind === 'removed') return 'Message removed';
  switch (msg.kind) {
    case 'image': return msg.text ? `📷 ${msg.text}` : '📷 Photo';
    case 'audio': return msg.text ? `🎵 ${msg.text}` : '🎵 Audio';
    case 'video': return msg.text ? `🎬 ${msg.text}` : '🎬 Video';
    case 'file': return `📎 ${msg.text || msg.payload?.name || 'File'}`;
    case 'text': return (msg.text || '').replace(/\s+/g, ' ');
    default: return msg.text ? msg.text.replace(/\s+/g, ' ') : `[${msg.kind}]`;
  }
}
