import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  Observable,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Component } from '@healstream/core';
import { ExecutorError } from './types.js';

// The executor loads this module (and with it the client) on first use; what it needs of the
// client's values comes through here.
export { PatchStrategy } from '@kubernetes/client-node';

/** The API clients of one cluster, from one kubeconfig. */
export interface Cluster {
  apps: AppsV1Api;
  core: CoreV1Api;
  server: string;
  /** The namespace of the kubeconfig's current context, when it names one. */
  namespace: string | undefined;
}

/** Builds the clients from `options.kubeconfig` (a path), else KUBECONFIG, ~/.kube/config or in-cluster. */
export function loadCluster(path: string | undefined): Cluster {
  const kc = new KubeConfig();
  try {
    if (path) kc.loadFromFile(path);
    else kc.loadFromDefault();
  } catch (error) {
    throw new ExecutorError(
      `kubeconfig ${path ?? '(default)'} could not be loaded: ${(error as Error).message}`,
      false,
      'KUBECONFIG_INVALID',
    );
  }
  const server = kc.getCurrentCluster()?.server;
  if (!server)
    throw new ExecutorError(
      `kubeconfig ${path ?? '(default)'} has no current cluster`,
      false,
      'KUBECONFIG_INVALID',
    );
  return {
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
    server,
    namespace: kc.getContextObject(kc.getCurrentContext())?.namespace,
  };
}

/** `namespace/name`, or `name` with options.namespace, else the context's namespace, else `default`. */
export function deploymentOf(
  component: Component,
  contextNamespace: string | undefined,
): { namespace: string; name: string } {
  const option =
    typeof component.options['namespace'] === 'string' ? component.options['namespace'] : undefined;
  const parts = component.target.split('/');
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 1)
    return { namespace: option ?? contextNamespace ?? 'default', name: component.target };
  throw new ExecutorError(
    `kubernetes target '${component.target}' of '${component.id}' is not 'namespace/deployment' or 'deployment'`,
    false,
    'TARGET_INVALID',
  );
}

/**
 * Per-request options: the abort signal of the attempt, and the patch content type. The
 * generated client sends application/json-patch+json unless told otherwise; a middleware set
 * per request is the client's way to choose strategic-merge or merge patches.
 */
export function requestOptions(signal: AbortSignal, contentType?: string): ConfigurationOptions {
  const middleware = {
    pre: (context: RequestContext) => {
      if (contentType) context.setHeaderParam('Content-Type', contentType);
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' };
}

function statusMessage(body: unknown): string {
  if (typeof body === 'string') {
    try {
      return statusMessage(JSON.parse(body));
    } catch {
      return body.slice(0, 300);
    }
  }
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : JSON.stringify(body).slice(0, 300);
}

/**
 * The API server's answer as an ExecutorError: 5xx, 429 and 409 (a conflicting write; the
 * next attempt reads again) may pass; other 4xx (not found, forbidden, invalid) will not.
 */
export function asExecutorError(error: unknown, what: string, signal: AbortSignal): unknown {
  if (signal.aborted || error instanceof ExecutorError) return error;
  if (error instanceof ApiException) {
    const code = Number(error.code);
    const retriable = code >= 500 || code === 429 || code === 409;
    return new ExecutorError(
      `${what}: API server answered ${code}: ${statusMessage(error.body)}`,
      retriable,
      retriable ? 'EXECUTOR_UNAVAILABLE' : 'EXECUTOR_REJECTED',
    );
  }
  return new ExecutorError(`${what}: API server unreachable: ${(error as Error).message}`, true);
}
