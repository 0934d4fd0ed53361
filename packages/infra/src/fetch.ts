import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KAFKA_VERSION, REGISTRY_VERSION, paths, type InfraSettings } from './settings.js';

const run = promisify(execFile);

async function mvn(s: InfraSettings, args: string[]): Promise<void> {
  const p = paths(s);
  try {
    await run('mvn', ['-q', '-B', `-Dmaven.repo.local=${p.m2}`, ...args], {
      cwd: s.repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ''}${e.stderr ?? ''}`
      .split('\n')
      .filter(Boolean)
      .slice(-15)
      .join('\n');
    throw new Error(`maven could not fetch the local infrastructure:\n${tail || e.message}`);
  }
}

/** What a first `up` still has to fetch, and roughly how much (measured on 4.3.1 and 3.0.9). */
export function missingDownloads(s: InfraSettings): { what: string; megabytes: number }[] {
  const p = paths(s);
  const missing: { what: string; megabytes: number }[] = [];
  if (!existsSync(join(p.kafkaLibs, `kafka_2.13-${KAFKA_VERSION}.jar`)))
    missing.push({ what: `Apache Kafka ${KAFKA_VERSION} and its dependencies`, megabytes: 45 });
  if (!existsSync(p.registryJar))
    missing.push({
      what: `the Apicurio Registry ${REGISTRY_VERSION} distribution`,
      megabytes: 115,
    });
  return missing;
}

/** Kafka's jars, from Maven Central into the project-local cache. Returns true if it downloaded. */
export async function ensureKafka(s: InfraSettings): Promise<boolean> {
  const p = paths(s);
  if (existsSync(join(p.kafkaLibs, `kafka_2.13-${KAFKA_VERSION}.jar`))) return false;
  rmSync(p.kafkaLibs, { recursive: true, force: true });
  await mvn(s, [
    '-f',
    join(s.repoRoot, 'infra', 'pom.xml'),
    `-Dkafka.version=${KAFKA_VERSION}`,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${p.kafkaLibs}`,
    '-DincludeScope=runtime',
  ]);
  return true;
}

/** The Apicurio Registry distribution, from Maven Central, unpacked. Returns true if it downloaded. */
export async function ensureRegistry(s: InfraSettings): Promise<boolean> {
  const p = paths(s);
  if (existsSync(p.registryJar)) return false;
  mkdirSync(p.registryDir, { recursive: true });
  await mvn(s, [
    'dependency:copy',
    `-Dartifact=io.apicurio:apicurio-registry-app:${REGISTRY_VERSION}:tar.gz:all`,
    `-DoutputDirectory=${p.registryDir}`,
  ]);
  const archive = readdirSync(p.registryDir).find((f) => f.endsWith('.tar.gz'));
  if (!archive) throw new Error(`no registry archive in ${p.registryDir} after maven ran`);
  await run('tar', ['xzf', archive], { cwd: p.registryDir });
  rmSync(join(p.registryDir, archive));
  if (!existsSync(p.registryJar))
    throw new Error(`registry archive did not contain ${p.registryJar}`);
  return true;
}
