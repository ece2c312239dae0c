import { execFile, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { findExecutable } from './executables.js';
import { accepts, freePort } from './net.js';

export type PrivateRabbit = {
  /** amqp URL of the node (guest/guest, which a fresh node allows from loopback). */
  url: string;
  node: string;
  /** rabbitmqctl against this node only (`-n`), e.g. `ctl('stop_app')`. */
  ctl: (...args: string[]) => Promise<string>;
  /** Stops the node and removes its folder; no beam process is left. */
  stop: () => Promise<void>;
};

/**
 * The real scripts' folder. Debian's /usr/sbin/rabbitmq-server is a wrapper that switches to the
 * rabbitmq user through su, which drops the environment that makes this node a node of its own.
 */
function sbin(): string {
  const found = realpathSync(
    findExecutable(
      'rabbitmq-server',
      ['/usr/sbin', '/usr/local/sbin', '/opt/homebrew/sbin', '/usr/lib/rabbitmq/bin'],
      'install the RabbitMQ server (e.g. apt install rabbitmq-server); restart tests start a node of their own with it',
    ),
  );
  const dir = path.dirname(found);
  return path.basename(found) === 'rabbitmq-script-wrapper'
    ? path.dirname(realpathSync(path.join(dir, 'rabbitmq-server')))
    : dir;
}

/**
 * A RabbitMQ node of the test's own: own name, ports, data, logs, cookie and no plugins, so a test
 * may stop and start it while the machine's RabbitMQ (5672) goes on undisturbed. It takes a few
 * seconds to boot (about 5 s on OTP 25 here).
 */
export async function startPrivateRabbit(): Promise<PrivateRabbit> {
  const bin = sbin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mosaicme-rabbit-node-'));
  const port = await freePort();
  const distPort = await freePort();
  const node = `mosaicme-test-${process.pid}-${port}@localhost`;
  const empty = path.join(dir, 'empty');
  await writeFile(empty, '');
  // A cookie in a HOME of its own: nothing is written to the user's ~/.erlang.cookie.
  await writeFile(path.join(dir, '.erlang.cookie'), randomBytes(20).toString('hex'), { mode: 0o400 });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    LC_ALL: 'C.UTF-8',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: empty,
    // The machine's rabbitmq-env.conf and rabbitmq.conf (a node name, listeners) are not ours.
    RABBITMQ_CONF_ENV_FILE: empty,
    RABBITMQ_CONFIG_FILE: path.join(dir, 'none'),
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dir, 'none.config'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = async (...args: string[]) =>
    (await promisify(execFile)(path.join(bin, 'rabbitmqctl'), ['-n', node, ...args], { env, timeout: 60_000 })).stdout;
  // A child (not detached): its script stops the node on SIGINT/SIGTERM, so ^C cleans up too.
  const child = spawn(path.join(bin, 'rabbitmq-server'), [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const beamPid = async () => Number((await readFile(path.join(dir, 'pid'), 'utf8').catch(() => '')).trim());

  const stop = async () => {
    process.off('exit', onExit);
    if (!gone()) {
      await ctl('stop').catch(() => child.kill('SIGTERM'));
      const exited = await Promise.race([
        new Promise((r) => child.once('exit', () => r(true))),
        new Promise((r) => setTimeout(() => r(gone()), 15_000)),
      ]);
      if (!exited) {
        // The script still waits for the VM, so the pid in the file is the node's own.
        const pid = await beamPid();
        if (pid) process.kill(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }
    }
    await rm(dir, { recursive: true, force: true });
  };

  const started = Date.now();
  try {
    for (;;) {
      if (gone()) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
      if (Date.now() - started > 60_000) throw new Error('not ready after 60 s');
      if (await accepts(port)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await ctl('await_startup');
  } catch (e) {
    const file = await readFile(path.join(dir, 'log', `${node}.log`), 'utf8').catch(() => '');
    await stop();
    throw new Error(
      `private RabbitMQ node ${node} did not start: ${(e as Error).message}\n${log}\n${file.slice(-3000)}`,
      {
        cause: e,
      },
    );
  }
  return { url: `amqp://guest:guest@127.0.0.1:${port}`, node, ctl, stop };
}
