// gureum's Node.js runtime client: runs a file.function handler (CommonJS or ES module, async or
// callback) against the Lambda Runtime API. Written for gureum, not derived from AWS's client.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { Writable } from 'node:stream';

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const PREFIX = '/2018-06-01/runtime';
const TASK = process.env.LAMBDA_TASK_ROOT || '/var/task';

function call(method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: PREFIX + p, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let requestId = '';
const JSON_LOGS = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

// patchConsole sends console output to the log: Lambda's tab-separated text lines, or with
// LogFormat JSON its records (timestamp, level, requestId, message), below
// AWS_LAMBDA_LOG_LEVEL dropped.
function patchConsole() {
  const min = Math.max(0, LEVELS.indexOf(process.env.AWS_LAMBDA_LOG_LEVEL || 'INFO'));
  const write = (stream, level) => {
    if (JSON_LOGS && LEVELS.indexOf(level) < min) return () => {};
    return (...args) => {
      if (JSON_LOGS) {
        stream.write(JSON.stringify({ timestamp: new Date().toISOString(), level, requestId, message: format(...args) }) + '\n');
        return;
      }
      const line = `${new Date().toISOString()}\t${requestId}\t${level}\t${format(...args)}`.replace(/\n/g, '\r');
      stream.write(line + '\n');
    };
  };
  console.log = console.info = write(process.stdout, 'INFO');
  console.warn = write(process.stderr, 'WARN');
  console.error = write(process.stderr, 'ERROR');
  console.debug = write(process.stdout, 'DEBUG');
  if (JSON_LOGS) {
    console.trace = write(process.stdout, 'TRACE');
    console.fatal = write(process.stderr, 'FATAL');
  }
}

function errorDoc(err, type) {
  if (!(err instanceof Error)) {
    return { errorType: type || 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err), trace: [] };
  }
  return { errorType: type || err.name || 'Error', errorMessage: err.message, trace: (err.stack || '').split('\n') };
}

class InitError extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

function moduleFile(base) {
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const f = path.resolve(TASK, base + ext);
    if (fs.existsSync(f)) return f;
  }
  return null;
}

async function loadHandler(spec) {
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}`);
  const base = spec.slice(0, dot);
  const fn = spec.slice(dot + 1);
  const file = moduleFile(base);
  if (!file) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${base}'`);
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (e) {
    if (e instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', `${e.name}: ${e.message}`);
    throw new InitError('Runtime.ImportModuleError', `${e.name}: ${e.message}`);
  }
  const handler = mod[fn] ?? mod.default?.[fn];
  if (typeof handler !== 'function') throw new InitError('Runtime.HandlerNotFound', `${base}.${fn} is undefined or not exported`);
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const env = process.env;
  const parse = (h) => (h ? JSON.parse(h) : undefined);
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(headers['lambda-runtime-client-context']),
    identity: parse(headers['lambda-runtime-cognito-identity']),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

// run calls the handler: async handlers resolve; handlers with three parameters answer through
// the callback (or context.done/succeed/fail) unless they return a promise first.
function run(handler, event, ctx) {
  return new Promise((resolve, reject) => {
    const callback = (err, value) => (err ? reject(err) : resolve(value));
    ctx.done = callback;
    ctx.succeed = (v) => resolve(v);
    ctx.fail = (e) => reject(e);
    try {
      const r = handler(event, ctx, callback);
      if (r && typeof r.then === 'function') r.then(resolve, reject);
      else if (handler.length < 3) resolve(r);
    } catch (e) {
      reject(e);
    }
  });
}

// Response streaming: awslambda.streamifyResponse marks a handler (event, responseStream,
// context); what it writes goes to the Runtime API as a chunked response in streaming mode, and a
// failure after that is reported in the response's trailers. HttpResponseStream.from starts a
// function URL's answer with its metadata (status, headers, cookies): the JSON prelude and 8 NUL
// bytes, under the http-integration-response content type.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

class HttpResponseStream {
  static from(stream, metadata) {
    stream.setContentType(HTTP_INTEGRATION);
    stream.write(JSON.stringify(metadata ?? {}));
    stream.write(Buffer.alloc(8));
    return stream;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream,
};

// responseStream is the Writable a streaming handler writes to: the request to the Runtime API
// starts with the first write (or the end), carrying the content type set until then.
function responseStream(id) {
  let req;
  let contentType = 'application/octet-stream';
  let answered;
  const done = new Promise((resolve, reject) => { answered = { resolve, reject }; });
  const open = () => {
    if (req) return req;
    req = http.request({
      host, port, method: 'POST', path: `${PREFIX}/invocation/${id}/response`, agent,
      headers: {
        'Content-Type': contentType, 'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked', Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
    }, (res) => { res.resume(); res.on('end', () => answered.resolve(res.statusCode)); });
    req.on('error', (e) => answered.reject(e));
    return req;
  };
  const stream = new Writable({
    write(chunk, _enc, cb) { open().write(chunk, cb); },
    final(cb) { open().end(); cb(); },
  });
  stream.setContentType = (t) => { contentType = t; };
  stream.fail = (doc) => { // ends the response with an error in its trailers
    const r = open();
    r.addTrailers({
      'Lambda-Runtime-Function-Error-Type': doc.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64'),
    });
    r.end();
  };
  stream.done = done;
  return stream;
}

// invokeStreaming runs a streamified handler: the response ends when the handler ends the
// stream, or when its promise settles without having ended it.
async function invokeStreaming(handler, event, ctx, id) {
  const stream = responseStream(id);
  try {
    await handler(event, stream, ctx);
    if (!stream.writableEnded) stream.end();
    else if (!stream.writableFinished) await new Promise((resolve, reject) => { stream.once('finish', resolve); stream.once('error', reject); });
  } catch (e) {
    const doc = errorDoc(e);
    console.error('Invoke Error', JSON.stringify(doc));
    if (!stream.writableEnded) stream.fail(doc); // else the response was whole: only the log has it
  }
  await stream.done;
}

async function invoke(handler, next) {
  const id = next.headers['lambda-runtime-aws-request-id'];
  requestId = id;
  if (next.headers['lambda-runtime-trace-id']) process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
  const ctx = makeContext(next.headers);
  try {
    const text = next.body.toString();
    const event = text ? JSON.parse(text) : {};
    if (handler[STREAMING] === 'response') {
      await invokeStreaming(handler, event, ctx, id);
      return;
    }
    const result = await run(handler, event, ctx);
    const out = JSON.stringify(result === undefined ? null : result);
    await call('POST', `/invocation/${id}/response`, out, { 'Content-Type': 'application/json' });
  } catch (e) {
    const doc = errorDoc(e);
    console.error('Invoke Error', JSON.stringify(doc));
    await call('POST', `/invocation/${id}/error`, JSON.stringify(doc), {
      'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': doc.errorType,
    });
  }
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER);
  } catch (e) {
    const doc = errorDoc(e, e instanceof InitError ? e.name : 'Runtime.ImportModuleError');
    console.error(`${doc.errorType}: ${doc.errorMessage}`);
    await call('POST', '/init/error', JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': doc.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`runtime API /next answered ${next.status}`);
    await invoke(handler, next);
  }
}

main();
