/* cti-web: keys for the search page and the article view.  Everything
   works without this script; it only adds the keyboard.
     /        search box          Esc   leave the box
     j, Down  next hit            k, Up previous hit   (Down from the box: first hit)
     Enter    open the hit (a link has the focus)
   In an article: j or n next match, k or N previous match. */
(function () {
  'use strict';
  var box = document.getElementById('q');
  var hits = Array.prototype.slice.call(document.querySelectorAll('.hit'));
  var marks = Array.prototype.slice.call(document.querySelectorAll('.body mark'));
  var cur = -1;

  function typing(t) {
    return t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' ||
                 t.tagName === 'SELECT' || t.isContentEditable);
  }

  function select(list, i, center) {
    if (!list.length) return false;
    if (cur >= 0 && list[cur]) list[cur].classList.remove('current');
    cur = Math.max(0, Math.min(list.length - 1, i));
    var el = list[cur];
    el.classList.add('current');
    var link = el.querySelector ? el.querySelector('a.hit-link') : null;
    if (link) link.focus({ preventScroll: true });
    el.scrollIntoView({ block: center ? 'center' : 'nearest' });
    return true;
  }

  function move(d) {
    if (hits.length) return select(hits, cur < 0 ? 0 : cur + d, false);
    if (marks.length) return select(marks, cur < 0 ? (d > 0 ? 0 : marks.length - 1) : cur + d, true);
    return false;
  }

  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var k = e.key;
    if (typing(e.target)) {
      if (e.target !== box) return;
      if (k === 'Escape') {
        box.blur();
        e.preventDefault();
      } else if (k === 'ArrowDown' && hits.length) {
        box.blur();
        select(hits, 0, false);
        e.preventDefault();
      }
      return;
    }
    var d = 0;
    if (k === '/' && box) {
      box.focus();
      box.select();
      e.preventDefault();
      return;
    }
    if (k === 'j' || (k === 'n' && marks.length)) d = 1;
    else if (k === 'k' || (k === 'N' && marks.length)) d = -1;
    else if (hits.length && k === 'ArrowDown') d = 1;
    else if (hits.length && k === 'ArrowUp') d = -1;
    if (d && move(d)) e.preventDefault();
  });

  /* A hit reached with Tab or the mouse becomes the current one. */
  hits.forEach(function (h, i) {
    h.addEventListener('focusin', function () {
      if (cur === i) return;
      if (cur >= 0) hits[cur].classList.remove('current');
      cur = i;
      h.classList.add('current');
    });
  });

  /* Ticking "Any word" searches again at once. */
  var any = document.querySelector('.any input');
  if (any && box && box.value.trim()) {
    any.addEventListener('change', function () { any.form.submit(); });
  }
})();
