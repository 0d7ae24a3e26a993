/* The outbox: every change is written here first, with a client UUID, and only then sent.
   An item: {id, kind: progress|transition|extension, task_id, body, photos: [{key, blob, name, done}],
   created, label, answer: {status, body} once the server answered, outcome: null|'refused'|'failed'}.
   An item leaves the outbox when the server accepted it and every photo is uploaded; a refused or failed
   one stays, shown with its reason, until the officer dismisses it. */
'use strict';
(function (g) {
  const DH = (g.DH = g.DH || {});

  function uuid() {
    if (g.crypto && g.crypto.randomUUID) return g.crypto.randomUUID();
    const b = g.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function isWaiting(item) {
    if (!item.answer) return true;
    return !!item.report_id && (item.photos || []).some((p) => !p.done);
  }

  const channel = typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('dieuhanh') : null;

  function changed(detail) {
    const message = Object.assign({ type: 'outbox-changed' }, detail || {});
    if (channel) channel.postMessage(message);
    if (typeof g.dispatchEvent === 'function' && typeof CustomEvent !== 'undefined' && g.document) {
      g.dispatchEvent(new CustomEvent('outbox-changed', { detail: message }));
    }
  }

  async function add(kind, taskId, body, options) {
    const opts = options || {};
    const id = uuid();
    const item = {
      id,
      kind,
      task_id: taskId,
      body,
      label: opts.label || '',
      photos: (opts.photos || []).map((photo, index) => ({
        key: `${id}.photo.${index}`, blob: photo.blob, name: photo.name || `anh-${index + 1}.jpg`, done: false,
      })),
      created: Date.now(),
      answer: null,
      outcome: null,
    };
    await DH.db.put('outbox', item);
    changed({ added: id });
    return item;
  }

  async function list() {
    const items = await DH.db.all('outbox');
    return items.sort((a, b) => a.created - b.created);
  }

  async function counts() {
    const items = await list();
    return {
      waiting: items.filter(isWaiting).length,
      refused: items.filter((i) => !isWaiting(i) && i.outcome).length,
    };
  }

  async function dismiss(id) {
    const item = await DH.db.get('outbox', id);
    if (item && !isWaiting(item)) await DH.db.del('outbox', id);
    changed();
  }

  DH.outbox = { uuid, add, list, counts, dismiss, isWaiting, changed, channel };
})(self);
