// A small emoji picker in a popover (the OS keyboard has the full set).

import { h } from '../dom.js';

const EMOJI = ['😀', '😄', '😂', '🤣', '😊', '😍', '😘', '😎', '🤔', '😅', '😉', '🙃', '😢', '😭', '😡', '😱', '🥳', '😴',
  '👍', '👎', '👏', '🙏', '🙌', '💪', '👋', '🤝', '👀', '❤️', '💔', '🔥', '✨', '🎉', '✅', '❌', '⭐', '💯',
  '☕', '🍕', '🍺', '🎂', '🌞', '🌧️', '🚀', '💡', '📎', '📷', '🎵', '⚽'];

let open = null;

export function emojiPicker(anchor, onPick) {
  if (open) { open.close(); return; }
  const grid = h('div', { class: 'emoji-grid', role: 'grid' });
  const buttons = EMOJI.map((e) => h('button', { type: 'button', class: 'emoji', 'aria-label': e, text: e,
    onclick: () => { onPick(e); close(); } }));
  grid.append(...buttons);
  const pop = h('div', { class: 'emoji-pop', role: 'dialog', 'aria-label': 'Emoji' }, grid);
  const close = () => {
    pop.remove();
    document.removeEventListener('pointerdown', outside, true);
    open = null;
    anchor.focus();
  };
  const outside = (e) => { if (!pop.contains(e.target) && e.target !== anchor && !anchor.contains(e.target)) close(); };
  pop.addEventListener('keydown', (e) => {
    const i = buttons.indexOf(document.activeElement);
    const cols = 9;
    const move = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
    if (e.key === 'Escape') { e.preventDefault(); close(); }
    else if (move && i >= 0) { e.preventDefault(); buttons[Math.max(0, Math.min(buttons.length - 1, i + move))].focus(); }
  });
  anchor.closest('.composer').append(pop);
  document.addEventListener('pointerdown', outside, true);
  open = { close };
  buttons[0].focus();
}
