// gureum's Node.js runtime: the Lambda Runtime API loop for `file.handler` handlers (CommonJS or ES modules).
// Like AWS's runtime: console lines carry "<time>\t<request id>\tINFO\t…", errors go back as
// {errorType, errorMessage, trace}, handlers may be async or take a callback.
'use strict';

const http = require('http');
const path = require('path');
const fs = require('fs');
const util = require('util');
const { pathToFileURL } = require('url');
const { Writable } = require('stream');

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const PREFIX = '/2018-06-01/runtime';
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = '';

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = http.request({ host: HOST, port: PORT, method, path: PREFIX + route, agent,
      headers: Object.assign(data ? { 'Content-Length': data.length } : {}, headers || {}) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[name] = (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId || 'undefined'}\t${level}\t${util.format(...args)}\n`);
  };
}

// Response streaming, as AWS's runtime offers it: awslambda.streamifyResponse(handler) marks a handler taking
// (event, responseStream, context); awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies}) writes
// the HTTP integration prelude (its JSON, then 8 NUL bytes) for function URLs.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';
global.awslambda = {
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

// A streamed POST …/response: chunked, written as the handler writes; an error goes in the trailers.
function responseStream(requestId) {
  let finished;
  const done = new Promise((resolve, reject) => { finished = { resolve, reject }; });
  const req = http.request({ host: HOST, port: PORT, method: 'POST', agent,
    path: `${PREFIX}/invocation/${requestId}/response`,
    headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked',
      'Content-Type': 'application/octet-stream',
      Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body' } }, (res) => {
    res.resume();
    res.on('end', () => finished.resolve(res.statusCode));
  });
  req.on('error', (err) => finished.reject(err));
  const stream = new Writable({
    write(chunk, encoding, callback) { req.write(chunk, encoding, callback); },
    final(callback) { req.end(); callback(); },
  });
  stream.setContentType = (type) => { if (!req.headersSent) req.setHeader('Content-Type', type); };
  stream.fail = (doc) => {
    req.addTrailers({ 'Lambda-Runtime-Function-Error-Type': doc.errorType,
      'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(doc)).toString('base64') });
    req.end();
  };
  stream.done = done;
  return stream;
}

async function runStreaming(handler, event, context, requestId) {
  const stream = responseStream(requestId);
  try {
    await handler(event, stream, context);
    if (!stream.writableEnded) stream.end();
    await new Promise((resolve) => (stream.writableFinished ? resolve() : stream.on('finish', resolve)));
  } catch (err) {
    const doc = errorDoc(err);
    console.error(`Invoke Error \t${JSON.stringify(doc)}`);
    stream.fail(doc);
  }
  await stream.done;
}

function errorDoc(err, type) {
  if (!(err instanceof Error)) {
    return { errorType: type || 'Error', errorMessage: typeof err === 'string' ? err : JSON.stringify(err), trace: [] };
  }
  return { errorType: type || err.name || 'Error', errorMessage: err.message, trace: String(err.stack || '').split('\n') };
}

async function loadHandler(spec) {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = spec.lastIndexOf('.');
  if (dot < 0) throw Object.assign(new Error(`Bad handler ${spec}`), { lambdaType: 'Runtime.MalformedHandlerName' });
  const modulePath = spec.slice(0, dot);
  const fnName = spec.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  let mod;
  const found = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  try {
    if (found && (found.endsWith('.mjs') || (found.endsWith('.js') && isModulePackage(root)))) {
      mod = await import(pathToFileURL(found).href);
    } else {
      mod = require(found || base);
    }
  } catch (err) {
    if (err && err.code === 'MODULE_NOT_FOUND' && !found) {
      throw Object.assign(new Error(`Error: Cannot find module '${modulePath}'`), { lambdaType: 'Runtime.ImportModuleError' });
    }
    if (err instanceof SyntaxError) throw Object.assign(err, { lambdaType: 'Runtime.UserCodeSyntaxError' });
    throw err;
  }
  const fn = fnName.split('.').reduce((obj, key) => (obj == null ? undefined : obj[key]), mod);
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), { lambdaType: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

function isModulePackage(root) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).type === 'module';
  } catch (_) {
    return false;
  }
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err); else resolve(result);
    };
    try {
      const out = handler(event, context, callback);
      if (out && typeof out.then === 'function') {
        out.then((r) => callback(null, r), (e) => callback(e === undefined || e === null ? new Error('handler rejected') : e));
      } else if (handler.length < 3) {
        callback(null, out);
      }
    } catch (err) {
      callback(err);
    }
  });
}

async function main() {
  let handler;
  let initError;
  try {
    handler = await loadHandler(process.env._HANDLER || '');
  } catch (err) {
    initError = errorDoc(err, err.lambdaType);
    console.error(`${initError.errorType}: ${initError.errorMessage}`);
  }
  for (;;) {
    const next = await call('GET', '/invocation/next');
    const h = next.headers;
    const requestId = h['lambda-runtime-aws-request-id'];
    currentRequestId = requestId;
    process.env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'] || '';
    if (initError) {
      await call('POST', `/invocation/${requestId}/error`, JSON.stringify(initError), { 'Lambda-Runtime-Function-Error-Type': initError.errorType });
      continue;
    }
    const deadline = Number(h['lambda-runtime-deadline-ms'] || 0);
    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: requestId,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      clientContext: h['lambda-runtime-client-context'] ? JSON.parse(h['lambda-runtime-client-context']) : undefined,
      identity: h['lambda-runtime-cognito-identity'] ? JSON.parse(h['lambda-runtime-cognito-identity']) : undefined,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    if (handler[STREAMING] === 'response') {
      const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : undefined;
      await runStreaming(handler, event, context, requestId);
      continue;
    }
    try {
      const event = next.body.length ? JSON.parse(next.body.toString('utf8')) : undefined;
      const result = await runHandler(handler, event, context);
      const out = result === undefined ? 'null' : JSON.stringify(result);
      await call('POST', `/invocation/${requestId}/response`, out, { 'Content-Type': 'application/json' });
    } catch (err) {
      const doc = errorDoc(err);
      console.error(`Invoke Error \t${JSON.stringify(doc)}`);
      await call('POST', `/invocation/${requestId}/error`, JSON.stringify(doc), { 'Lambda-Runtime-Function-Error-Type': 'Unhandled' });
    }
  }
}

process.on('unhandledRejection', (reason) => {
  console.error(`Unhandled Promise Rejection \t${JSON.stringify(errorDoc(reason, 'Runtime.UnhandledPromiseRejection'))}`);
  process.exit(128);
});

main().catch((err) => {
  process.stderr.write(`gureum nodejs bootstrap failed: ${err && err.stack}\n`);
  process.exit(1);
});
