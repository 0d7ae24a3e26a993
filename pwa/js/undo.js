/* A few seconds to take back a leader's decision (approve, return) on the phone, without a modal in the way.
   The decision is written to the outbox at once, held (hold_until) so nobody sends it yet, and a bar at the
   foot of the screen offers "Hoàn tác". Undo takes the held item out: nothing was sent. When the window
   closes the item is sent like any other change. The timer belongs to the page, not to a screen, so moving
   to another screen does not stop it; hiding or closing the page closes the window at once and sends (the
   service worker's Background Sync sends it later if the page went before it could). */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});
  const t = (text) => DH.i18n.t(text);
  const HOLD_MS = 5000;
  let current = null; // {id, timer}

  function bar() {
    let el = g.document.getElementById('undo-bar');
    if (!el) {
      el = g.document.createElement('div');
      el.id = 'undo-bar';
      el.className = 'undo-bar';
      el.setAttribute('role', 'status');
      el.hidden = true;
      el.innerHTML = '<span class="undo-text"></span><button type="button" class="link undo-button"></button>';
      g.document.body.append(el);
    }
    return el;
  }

  function hide() {
    const el = g.document.getElementById('undo-bar');
    if (el) el.hidden = true;
  }

  /* Close the current window: the held item goes now (a newer decision, the page hidden, the time up). */
  async function commit() {
    if (!current) return;
    const { id, timer } = current;
    current = null;
    g.clearTimeout(timer);
    hide();
    await DH.outbox.release(id);
    await DH.app.syncNow('undo-window-closed');
  }

  /* Queue a change that can be taken back for a few seconds; `onUndo` repaints what the tap changed. */
  async function hold(kind, taskId, body, options, message, onUndo) {
    await commit(); // one bar at a time: an earlier decision is final once another one is made
    const item = await DH.outbox.add(kind, taskId, body, Object.assign({}, options, { holdMs: HOLD_MS }));
    DH.sync.register(); // the service worker sends it even if the page is closed before the window ends
    const el = bar();
    el.querySelector('.undo-text').textContent = t(message);
    const button = el.querySelector('.undo-button');
    button.textContent = t('Hoàn tác');
    button.onclick = async () => {
      if (!current || current.id !== item.id) return;
      g.clearTimeout(current.timer);
      current = null;
      hide();
      if (await DH.outbox.cancel(item.id)) {
        if (onUndo) await onUndo();
      } else {
        await DH.app.syncNow('undo-too-late');
      }
    };
    el.hidden = false;
    current = { id: item.id, timer: g.setTimeout(commit, HOLD_MS) };
    return item;
  }

  /* The page is going away or into the background: no one can tap "Hoàn tác" now, so send everything held. */
  async function flush() {
    await commit();
    const held = (await DH.outbox.list()).filter(DH.outbox.isHeld);
    if (!held.length) return;
    await DH.outbox.release();
    await DH.app.syncNow('page-hidden');
  }

  g.addEventListener('pagehide', flush);
  g.document.addEventListener('visibilitychange', () => { if (g.document.visibilityState === 'hidden') flush(); });

  DH.undo = { hold, commit, flush, HOLD_MS };
})(self);
