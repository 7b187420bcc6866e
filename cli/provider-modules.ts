import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ProviderDefinition,
  providerDefinitionIssue,
  resolveProviders,
} from '../providers/registry.js';
import { isContactSyncError } from '../src/errors.js';

/**
 * A config file's top-level `"providers"`: the modules of vendors defined outside this package,
 * each a package name (resolved from the config file's folder, as `import` would from a file
 * there) or a path relative to the config file. Each module's export `provider`, or its default
 * export, must be a `ProviderDefinition` (`defineProvider` of `contact-sync/provider`).
 *
 * `fail(field, message)` makes the error: `providers[i]` for a module that cannot be loaded or
 * exports no definition, `providers[i].<field>` for a definition that is wrong, a name a shipped
 * vendor has, or a name given twice. Only error codes are quoted, never a module's own message.
 */
export async function loadProviderModules(
  specifiers: unknown,
  configPath: string,
  fail: (field: string, message: string) => Error,
): Promise<ProviderDefinition<never>[]> {
  if (specifiers === undefined) return [];
  if (!Array.isArray(specifiers) || specifiers.some((item) => typeof item !== 'string' || !item)) {
    throw fail(
      'providers',
      'expected an array of module names or paths, e.g. ["contact-sync-kontakto", "./adapters/kontakto.js"]',
    );
  }
  const definitions: ProviderDefinition<never>[] = [];
  for (const [index, specifier] of (specifiers as string[]).entries()) {
    const field = `providers[${index}]`;
    let loaded: Record<string, unknown>;
    try {
      loaded = (await import(moduleUrl(specifier, configPath))) as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException)?.code ?? (error as Error)?.name ?? 'error';
      throw fail(field, `module '${specifier}' cannot be loaded (${code})`);
    }
    const candidate = loaded.provider ?? loaded.default;
    if (candidate === undefined) {
      throw fail(
        field,
        `module '${specifier}' exports no ProviderDefinition (expected an export named provider, or a default export)`,
      );
    }
    const issue = providerDefinitionIssue(candidate);
    if (issue) {
      throw fail(
        issue.path ? `${field}.${issue.path}` : field,
        `module '${specifier}': ${issue.message}`,
      );
    }
    definitions.push(candidate as ProviderDefinition<never>);
  }
  try {
    resolveProviders(definitions);
  } catch (error) {
    if (!isContactSyncError(error)) throw error;
    const issue = error.issues?.[0];
    throw fail(issue?.path ?? 'providers', issue?.message ?? error.message);
  }
  return definitions;
}

/**
 * The URL to import: a path (`./`, `../`, absolute) from the config file's folder; a package name
 * as resolved from that folder, or, when it cannot be resolved there, as `import` resolves it
 * from this package (a global install next to contact-sync).
 */
function moduleUrl(specifier: string, configPath: string): string {
  const folder = dirname(resolve(configPath));
  if (specifier.startsWith('./') || specifier.startsWith('../') || isAbsolute(specifier)) {
    return pathToFileURL(resolve(folder, specifier)).href;
  }
  if (specifier.startsWith('file:')) return specifier;
  try {
    return pathToFileURL(createRequire(resolve(folder, 'noop.js')).resolve(specifier)).href;
  } catch {
    return specifier;
  }
}
