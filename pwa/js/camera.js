// @ts-check
/* Photos are shrunk on the phone before they wait in the outbox: longest side at most 1600 px, JPEG ~0.8. */
export const MAX_SIDE = 1600;
const QUALITY = 0.8;

async function decode(file) {
  try {
    return await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch (error) {
    return null;
  }
}

/** @param {File} file @returns {Promise<{blob: Blob, name: string, width: number | null, height: number | null}>} */
export async function shrink(file) {
  const bitmap = await decode(file);
  if (!bitmap) return { blob: file, name: file.name || 'anh.jpg', width: null, height: null };
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const width = Math.max(1, Math.round(bitmap.width * scale));
  const height = Math.max(1, Math.round(bitmap.height * scale));
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  const base = (file.name || 'anh').replace(/\.[^.]+$/, '');
  return { blob: blob || file, name: `${base}.jpg`, width, height };
}

/** @returns {Promise<{latitude: number, longitude: number, accuracy_m: number} | null>} */
export function locate() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve({
        latitude: position.coords.latitude,
        longitude: position.coords.longitude,
        accuracy_m: Math.round(position.coords.accuracy),
      }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  });
}

