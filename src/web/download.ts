/**
 * A streamed export handed to the browser as a download: the answer is read chunk by chunk so
 * the page can show how much has arrived (`onProgress` with the bytes so far), then saved under
 * the server's file name (Content-Disposition), else `fallbackName`. Throws ApiError for a
 * problem answer. With the session cookie; the protocol page's and the access log's exports.
 */
import { ApiError } from './api.ts';

export async function downloadExport(
  url: string,
  fallbackName: string,
  onProgress: (bytes: number) => void,
): Promise<string> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok || !res.body) {
    const problem = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new ApiError(res.status, problem.detail ?? res.statusText);
  }
  const reader = res.body.getReader();
  const parts: BlobPart[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value as Uint8Array<ArrayBuffer>);
    bytes += value.byteLength;
    onProgress(bytes);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const href = URL.createObjectURL(new Blob(parts, { type: res.headers.get('content-type') ?? undefined }));
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}
