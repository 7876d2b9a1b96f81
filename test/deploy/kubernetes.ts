// Rendering the kustomize overlays and checking every object against the Kubernetes API schemas.
// The schemas are kubernetes-models' (generated from the Kubernetes OpenAPI document, compiled to ajv validators): they
// check types, enums, formats and required fields. Those schemas allow unknown fields, as the API's own do, so a typo
// (`readinesProbe`) would pass; the same package's TypeScript types catch those: every object is type-checked with
// `satisfies`, whose excess-property check rejects any field the API does not define (kubeconform's -strict).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

/** Rendered manifests are plain parsed YAML, checked field by field by the tests. */
type Any = any;
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: Any };
  [k: string]: Any;
};

export function kubectlVersion(): string | undefined {
  const run = spawnSync('kubectl', ['version', '--client', '--output=json'], { encoding: 'utf8' });
  if (run.status !== 0) return undefined;
  const { clientVersion, kustomizeVersion } = JSON.parse(run.stdout);
  return `kubectl ${clientVersion.gitVersion}, kustomize ${kustomizeVersion}`;
}

/** render runs `kubectl kustomize <dir>` and parses the YAML stream. */
export function render(dir: string): K8sObject[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((doc) => doc.toJS() as K8sObject)
    .filter(Boolean);
}

export const objectName = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** The kubernetes-models module of an object's kind: `kubernetes-models/apps/v1/Deployment`, `kubernetes-models/v1/Service`. */
const modelPath = (o: K8sObject) => `kubernetes-models/${o.apiVersion}/${o.kind}`;

/** schemaErrors validates each object with the compiled OpenAPI schema of its apiVersion and kind. */
export async function schemaErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    let model: { new (data: unknown): { validate(): void } };
    try {
      model = (await import(modelPath(o)))[o.kind];
    } catch {
      errors.push(`${objectName(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new model(apiServerView(o)).validate();
    } catch (err) {
      errors.push(`${objectName(o)}: ${(err as Error).message}`);
    }
  }
  return errors;
}

/** Kustomize wraps long base64 Secret values over several lines; the API server's decoder skips line breaks, the schema's
 * `byte` format does not, so the values are checked as the server reads them. */
function apiServerView(o: K8sObject): K8sObject {
  if (o.kind !== 'Secret' || !o.data) return o;
  return {
    ...o,
    data: Object.fromEntries(Object.entries(o.data).map(([k, v]) => [k, String(v).replace(/[\r\n]/g, '')])),
  };
}

/** unknownFieldErrors type-checks each object against its kind's API type; excess properties are unknown fields. */
export function unknownFieldErrors(objects: K8sObject[], repo: string): string[] {
  const file = join(repo, 'test', 'deploy', '__rendered_manifests__.ts');
  const lines: string[] = [];
  const owner: { from: number; object: K8sObject }[] = [];
  objects.forEach((o, i) => {
    lines.push(`import type { I${o.kind} as T${i} } from '${modelPath(o)}';`);
  });
  objects.forEach((o, i) => {
    owner.push({ from: lines.length, object: o });
    lines.push(...`export const o${i} = ${JSON.stringify(o, null, 1)} satisfies T${i};`.split('\n'));
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, ' ');
    if (d.file?.fileName !== file || d.start === undefined) return message;
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const o = owner.findLast((entry) => entry.from <= line)?.object;
    return `${o ? objectName(o) : `line ${line}`}: ${message}`;
  });
}
