// The console's only way to the service: the /ops/* API, with the session cookie (sent by the browser) and
// the page's CSRF token on state-changing calls.
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiProblem extends Error {
  constructor(status, body) {
    super(
      body?.messages?.length
        ? `${status}: ${body.messages.join('; ')}${body.uuid ? ` (error ${body.uuid})` : ''}`
        : `${status}: the service answered without details`,
    );
    this.status = status;
    this.body = body;
  }
}

async function call(method, path) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }) },
  });
  if (res.status === 401) {
    location.assign('/console/sign-in');
    throw new ApiProblem(401, { messages: ['signed out'] });
  }
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw new ApiProblem(res.status, body);
  return body;
}

export const get = (path, query = {}) => {
  const q = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''));
  return call('GET', q.size ? `${path}?${q}` : path);
};
export const post = (path) => call('POST', path);

export async function signOut() {
  await fetch('/console/sign-out', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf } });
  location.assign('/console/sign-in');
}

/** GET that answers undefined when this version of the service does not have the endpoint. */
export async function getIfAvailable(path, query) {
  try {
    return await get(path, query);
  } catch (e) {
    if (e instanceof ApiProblem && e.status === 404 && /no (route|such resource)/.test(e.message)) return undefined;
    throw e;
  }
}
