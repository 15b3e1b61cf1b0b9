/**
 * Sends one HTTP request to a Node request handler over a real loopback socket of an
 * ephemeral server that lives only for this request (Koa apps are tested as functions of
 * their dependencies; the socket keeps body parsing and headers real). An event stream is read
 * up to its first event, then closed.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function inject(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string>; json: any; text: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const init: RequestInit = { method, headers: { ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
        (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
    }
    const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
    // An event stream never ends: its text is what came up to the first event (the snapshot).
    const text = res.headers.get('content-type')?.startsWith('text/event-stream')
      ? await firstEvent(res)
      : await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: Object.fromEntries(res.headers.entries()), json, text };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function firstEvent(res: Response): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/^event: .*\n(.*\n)*\n/m.test(text) && text.length < 1_000_000) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return text;
}
