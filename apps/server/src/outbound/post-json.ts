import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { refusal, type TargetPolicy } from './address-policy.js';

export interface PostResult {
  status: number;
  latencyMs: number;
  /** The answer's body, up to 64 KiB (enough for a token response; callbacks ignore it). */
  body: string;
}

const MAX_BODY = 64 * 1024;

/**
 * Kept-alive sockets are pooled per address policy: a socket is only ever reused for requests under
 * the policy its address was checked against when it connected. With one shared pool, a sender
 * allowed an address would open a socket that a sender refused that address could then reuse,
 * skipping the check (it runs at connect time).
 */
const agents = new Map<string, http.Agent>();

function agentFor(protocol: 'http:' | 'https:', policy: TargetPolicy): http.Agent {
  const key = `${protocol}${policy.allowLoopback ? ' loopback' : ''}${policy.allowInternal ? ' internal' : ''}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}

/**
 * POSTs to a sender's endpoint. Every address the name resolves to is checked by our own
 * `lookup` at connect time (so a DNS answer cannot change between check and use), redirects are
 * not followed (a 3xx is a failure), and the whole exchange is bounded by `timeoutMs`.
 */
export function postJson(url: string, body: unknown, policy: TargetPolicy, headers: Record<string, string> = {}, timeoutMs = 15_000): Promise<PostResult> {
  return post(url, Buffer.from(JSON.stringify(body)), 'application/json', policy, headers, timeoutMs);
}

/** A form POST (OAuth2 token requests), under the same address policy. */
export function postForm(url: string, fields: Record<string, string>, policy: TargetPolicy, timeoutMs = 15_000): Promise<PostResult> {
  return post(url, Buffer.from(new URLSearchParams(fields).toString()), 'application/x-www-form-urlencoded', policy, {}, timeoutMs);
}

function post(url: string, payload: Buffer, contentType: string, policy: TargetPolicy, headers: Record<string, string>, timeoutMs: number): Promise<PostResult> {
  const target = new URL(url);
  const protocol = target.protocol;
  if (protocol !== 'https:' && protocol !== 'http:') return Promise.reject(new Error(`unsupported scheme ${protocol}`));
  const lookup: LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 4);
      const list = addresses as dns.LookupAddress[];
      const refused = list.map((a) => refusal(a.address, policy)).find(Boolean);
      if (refused || !list.length) return callback(new Error(refused ?? `no address for ${hostname}`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    const refusedLiteral = /^[\d.]+$|:/.test(literal) ? refusal(literal, policy) : undefined;
    if (refusedLiteral) return reject(new Error(refusedLiteral));
    const request = (protocol === 'https:' ? https : http).request(
      target,
      { method: 'POST', agent: agentFor(protocol, policy), lookup, headers: { ...headers, 'content-type': contentType, 'content-length': payload.length }, timeout: timeoutMs },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < MAX_BODY) text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, latencyMs: Math.round(performance.now() - started), body: text.slice(0, MAX_BODY) }));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}

/** 2xx only: a redirect is refused rather than followed to another host. */
export const isSuccess = (status: number) => status >= 200 && status < 300;
