// @ts-check
/* IndexedDB for the app and its service worker (both import this module).
   Stores: outbox (changes waiting to be sent, with their photos as Blobs), tasks (my task list),
   details (task details), meta (cursor, who is signed in, flags). */
const NAME = 'dieuhanh';
const VERSION = 1;
/** @type {Promise<IDBDatabase> | null} */
let opening = null;

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains('outbox')) {
          db.createObjectStore('outbox', { keyPath: 'id' }).createIndex('created', 'created');
        }
        if (!db.objectStoreNames.contains('tasks')) db.createObjectStore('tasks', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('details')) db.createObjectStore('details', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
      };
      request.onsuccess = () => {
        const db = request.result;
        db.onversionchange = () => { db.close(); opening = null; };
        db.onclose = () => { opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => { /* another tab holds the old version; it closes on versionchange */ };
    });
  }
  return opening;
}

/** @template T @param {IDBRequest<T>} request @returns {Promise<T>} */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** @param {string[]} stores @param {IDBTransactionMode} mode @param {(tx: IDBTransaction) => any} work
    @returns {Promise<any>} */
async function run(stores, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
    Promise.resolve()
      .then(() => work(tx))
      .then((value) => { result = value; }, (error) => { try { tx.abort(); } catch (e) { /* done */ } reject(error); });
  });
}

export const db = {
  open,
  get: (store, key) => run([store], 'readonly', (tx) => done(tx.objectStore(store).get(key))),
  all: (store) => run([store], 'readonly', (tx) => done(tx.objectStore(store).getAll())),
  put: (store, value, key) => run([store], 'readwrite', (tx) => done(
    key === undefined ? tx.objectStore(store).put(value) : tx.objectStore(store).put(value, key))),
  del: (store, key) => run([store], 'readwrite', (tx) => done(tx.objectStore(store).delete(key))),
  putMany: (store, values) => run([store], 'readwrite', (tx) => {
    const os = tx.objectStore(store);
    values.forEach((value) => os.put(value));
  }),
  delMany: (store, keys) => run([store], 'readwrite', (tx) => {
    const os = tx.objectStore(store);
    keys.forEach((key) => os.delete(key));
  }),
  clear: (store) => run([store], 'readwrite', (tx) => done(tx.objectStore(store).clear())),
  /* Read-modify-write of one record inside one transaction. */
  /** @param {string} store @param {IDBValidKey} key @param {(current: any) => any} change */
  update: (store, key, change) => run([store], 'readwrite', async (tx) => {
    const os = tx.objectStore(store);
    const current = await done(os.get(key));
    if (current === undefined) return undefined;
    const next = change(current) || current;
    await done(os.put(next));
    return next;
  }),
  meta: {
    get: (key) => run(['meta'], 'readonly', (tx) => done(tx.objectStore('meta').get(key))),
    set: (key, value) => run(['meta'], 'readwrite', (tx) => done(tx.objectStore('meta').put(value, key))),
  },
};
