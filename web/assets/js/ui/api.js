// api.js — the server's JSON API (docs/API.md) as the page uses it. The
// session is the HttpOnly cookie the server sets on login: the page never
// sees the token. Nothing here ever carries a restore key or passphrase.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function errorOf(res) {
  let body = null;
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  const text = body && body.error ? body.error : `${res.status} ${res.statusText || 'error'}`;
  return new ApiError(res.status, text, body);
}

async function call(method, path, { json, body, type } = {}) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    if (type) init.headers['Content-Type'] = type;
    init.body = body;
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'the server cannot be reached');
  }
  if (!res.ok) throw await errorOf(res);
  return res;
}

const json = async (res) => (res.status === 204 ? null : res.json());

export const api = {
  me: async () => {
    try {
      return await json(await call('GET', '/api/me'));
    } catch (e) {
      if (e.status === 401) return null;
      throw e;
    }
  },
  login: async (username, password) => json(await call('POST', '/api/login', { json: { username, password } })),
  logout: async () => json(await call('POST', '/api/logout')),
  register: async (username, password, publicKey) =>
    json(await call('POST', '/api/register', { json: { username, password, public_key: publicKey } })),
  images: async (page, perPage) => json(await call('GET', `/api/images?page=${page}&per_page=${perPage}`)),
  image: async (id) => json(await call('GET', `/api/images/${encodeURIComponent(id)}`)),
  imageBytes: async (id) => new Uint8Array(await (await call('GET', `/images/${encodeURIComponent(id)}`)).arrayBuffer()),
  upload: async (bytes, type) => json(await call('POST', '/api/images', { body: bytes, type })),
  remove: async (id) => json(await call('DELETE', `/api/images/${encodeURIComponent(id)}`)),
  // the steganography forms: multipart, the browser sets the boundary
  hide: async (form) => (await call('POST', '/api/stego/hide', { body: form })).blob(),
  reveal: async (form) => json(await call('POST', '/api/stego/reveal', { body: form })),
};
