// Drives a TaskGraph node over Streamable HTTP with the official MCP TypeScript SDK (pinned in package.json).
// Usage: node http-smoke.mjs <url> <token>
// Prints one JSON object on stdout (the summary the xunit test asserts); exits 1 with a message on stderr on failure.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, token] = process.argv.slice(2);
if (!url || !token) {
  console.error('usage: node http-smoke.mjs <url> <token>');
  process.exit(2);
}

const overall = setTimeout(() => {
  console.error('http-smoke: gave up after 60 s');
  process.exit(1);
}, 60_000);

function transportWith(secret) {
  return new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${secret}` } },
  });
}

// A tool's answer: its one text item parsed as JSON, plus whether it was an error.
async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.[0]?.type === 'text' ? result.content[0].text : null;
  if (text === null) {
    throw new Error(`${name} answered without a text item: ${JSON.stringify(result)}`);
  }
  return { isError: result.isError === true, body: JSON.parse(text) };
}

async function main() {
  const summary = {};

  const client = new Client({ name: 'taskgraph-http-smoke', version: '1.0.0' });
  const transport = transportWith(token);
  await client.connect(transport);
  summary.server = client.getServerVersion()?.name ?? null;
  summary.protocol_version = transport.protocolVersion ?? null;
  summary.has_session = typeof transport.sessionId === 'string' && transport.sessionId.length > 0;

  const tools = await client.listTools();
  summary.tools = tools.tools.map(t => t.name).sort();

  const connected = await call(client, 'connect', { worker_id: 'ts-worker' });
  summary.connect = { is_error: connected.isError, worker_id: connected.body.worker_id ?? null };

  const created = await call(client, 'create', { title: 'made by the TypeScript SDK' });
  summary.create = { is_error: created.isError, id: created.body.id ?? null, status: created.body.status ?? null };

  const claimed = await call(client, 'claim', { worker_id: 'ts-worker', task: created.body.id });
  summary.claim = {
    is_error: claimed.isError,
    success: claimed.body.success ?? null,
    status: claimed.body.task?.status ?? null,
    worker_id: claimed.body.task?.worker_id ?? null,
  };

  await client.close();

  // The same SDK with a secret the node never issued: the POST must come back 401.
  const rejected = new Client({ name: 'taskgraph-http-smoke-bad-token', version: '1.0.0' });
  try {
    await rejected.connect(transportWith('tgk_not-a-token-of-this-node'));
    summary.bad_token = { rejected: false };
    await rejected.close();
  } catch (error) {
    summary.bad_token = { rejected: true, http_status: typeof error?.code === 'number' ? error.code : null };
  }

  console.log(JSON.stringify(summary));
}

main()
  .then(() => {
    clearTimeout(overall);
    process.exit(0);
  })
  .catch(error => {
    console.error(`http-smoke failed: ${error?.stack ?? error}`);
    process.exit(1);
  });
