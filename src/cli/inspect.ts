/**
 * The shape inspector: what the compiler knows about every tensor in a file, without running it.
 *
 * ts-morph opens the user's own tsconfig (the nearest one above the file, or `project`), adds the
 * file and type-checks it. Then, from the checker alone:
 * - every variable, destructured binding, parameter and class property whose type is shapegrad's
 *   `Tensor<S, D, Dev>` is reported with S, D and Dev as the compiler inferred them;
 * - every value whose type is an nn.Module (it has forward, namedParameters and stateDict) is a
 *   module: a container's layers (nn.Sequential: a `layers` tuple, nested ones too) or a custom
 *   module's submodules are listed, and where the file calls its forward, the output and the
 *   shape after each layer are what the checker gives for `forward` calls on the user's own code
 *   (see `traceForwards`), so nothing here depends on where shapegrad keeps its type rules;
 * - every diagnostic is reported with its location; one whose text carries a shapegrad catalogue
 *   message (a parameter type that is the message literal) is reported with that message.
 */
import * as path from "node:path";
import { existsSync } from "node:fs";
import { Node, Project, SyntaxKind, ts, type CallExpression, type SourceFile, type Type } from "ts-morph";

export interface TensorEntry {
  readonly kind: "tensor";
  readonly name: string;
  readonly line: number;
  readonly column: number;
  /** The shape as the compiler prints it: `[8, 16, 16, 16]`, `number[]`, `[N, 10]`. */
  readonly shape: string;
  readonly dtype: string;
  readonly device: string;
}

export interface LayerEntry {
  readonly index: number;
  /** For a submodule of a custom Module: the property that holds it (`conv1`, `layer2`). */
  readonly property?: string;
  /** The layer's class name (`Conv2d`, `ReLU`, a custom module's own class). */
  readonly name: string;
  /** The layer's type as written by the compiler: `Conv2d<3, 16, 3, { padding: 1; }>`. */
  readonly type: string;
  /** Output shape after this layer for the input of the forward call at `forwardLine`; a message if the layer refuses it. */
  readonly output?: string;
  /** The rows under this one: a nested container's layers (with `output` for the same forward call), a module's submodules. */
  readonly layers?: readonly LayerEntry[];
}

export interface ModuleEntry {
  readonly kind: "module";
  readonly name: string;
  readonly line: number;
  readonly column: number;
  readonly type: string;
  readonly layers: readonly LayerEntry[];
  /** The first forward call of this module in the file: its line, input shape and output shape (or message). */
  readonly forwardLine?: number;
  readonly forwardInput?: string;
  readonly forwardOutput?: string;
}

export interface DiagnosticEntry {
  readonly line: number;
  readonly column: number;
  readonly code: number;
  /** The catalogue message when the diagnostic is a shapegrad shape/dtype/device error, else null. */
  readonly shapegrad: string | null;
  /** TypeScript's full text. */
  readonly text: string;
}

export interface Inspection {
  readonly file: string;
  readonly tsconfig: string | null;
  readonly entries: readonly (TensorEntry | ModuleEntry)[];
  readonly diagnostics: readonly DiagnosticEntry[];
}

export interface InspectOptions {
  /** tsconfig.json to use; default: the nearest one in the file's directory or above. */
  project?: string;
}

/** The nearest tsconfig.json in `dir` or a parent directory. */
export function findTsconfig(dir: string): string | null {
  let d = path.resolve(dir);
  for (;;) {
    const candidate = path.join(d, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(d);
    if (parent === d) return null;
    d = parent;
  }
}

/** A catalogue message inside TypeScript's text: a string literal type of the form "op: ...". */
const catalogueMessage = /type '"((?:[A-Za-z][\w.]*): (?:[^"\\]|\\.)*)"'/;

export function shapegradMessage(text: string): string | null {
  const m = catalogueMessage.exec(text);
  return m ? m[1].replace(/\\(.)/g, "$1") : null;
}

export function inspectFile(file: string, options: InspectOptions = {}): Inspection {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new Error(`shapegrad shapes: no such file ${file}`);
  const tsconfig = options.project ? path.resolve(options.project) : findTsconfig(path.dirname(absolute));
  if (options.project && !existsSync(tsconfig!))
    throw new Error(`shapegrad shapes: no such tsconfig ${options.project}`);
  const project = tsconfig
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({
        compilerOptions: {
          strict: true,
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.NodeNext,
          moduleResolution: ts.ModuleResolutionKind.NodeNext,
        },
      });
  const sf = project.addSourceFileAtPath(absolute);
  setModuleFormat(project, sf);
  project.resolveSourceFileDependencies();

  const diagnostics = sf
    .getPreEmitDiagnostics()
    .filter((d) => d.getSourceFile()?.getFilePath() === sf.getFilePath())
    .map((d): DiagnosticEntry => {
      const start = d.getStart() ?? 0;
      const { line, column } = sf.getLineAndColumnAtPos(start);
      const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, "\n");
      return { line, column, code: d.getCode(), shapegrad: shapegradMessage(text), text };
    });

  const entries: (TensorEntry | ModuleEntry)[] = [];
  const named = [
    ...sf.getDescendantsOfKind(SyntaxKind.VariableDeclaration).filter((d) => Node.isIdentifier(d.getNameNode())),
    ...sf.getDescendantsOfKind(SyntaxKind.BindingElement).filter((d) => Node.isIdentifier(d.getNameNode())),
    ...sf.getDescendantsOfKind(SyntaxKind.Parameter).filter((d) => Node.isIdentifier(d.getNameNode())),
    ...sf.getDescendantsOfKind(SyntaxKind.PropertyDeclaration),
  ].sort((a, b) => a.getStart() - b.getStart());

  const modules: { entryIndex: number; decl: Node; layers: Type[] }[] = [];
  for (const decl of named) {
    const nameNode = (decl as Node & { getNameNode(): Node }).getNameNode();
    const name = nameNode.getText();
    const { line, column } = sf.getLineAndColumnAtPos(nameNode.getStart());
    const type = decl.getType();
    const tensor = tensorParts(type, decl);
    if (tensor) {
      entries.push({ kind: "tensor", name, line, column, ...tensor });
      continue;
    }
    if (!isModuleType(type)) continue;
    modules.push({ entryIndex: entries.length, decl, layers: containerLayers(type, decl) ?? [] });
    entries.push({ kind: "module", name, line, column, type: typeText(type, decl), layers: moduleRows(type, decl) });
  }

  const traced = traceForwards(
    project,
    sf,
    modules.map((m) => ({ decl: m.decl, layers: m.layers })),
  );
  for (const [i, m] of modules.entries()) {
    const t = traced[i];
    if (!t) continue;
    const entry = entries[m.entryIndex] as ModuleEntry;
    entries[m.entryIndex] = {
      ...entry,
      forwardLine: t.line,
      forwardInput: t.input,
      forwardOutput: t.output,
      layers: m.layers.length ? withOutputs(entry.layers, t.outputs) : entry.layers,
    };
  }
  return { file: absolute, tsconfig, entries, diagnostics };
}

/**
 * ts-morph creates source files without the module format that `module: NodeNext` derives from the
 * nearest package.json ("type": "module" or not), so the user's file would be checked as CommonJS
 * (`import.meta` and top-level await refused). The file gets its format as tsc computes it, before
 * its imports are resolved. (Its dependencies keep ts-morph's default: setting theirs as well
 * makes ts-morph's resolver lose relative imports, and their types do not depend on it.)
 */
function setModuleFormat(project: Project, file: SourceFile): void {
  const node = file.compilerNode as ts.SourceFile & { impliedNodeFormat?: ts.ResolutionMode };
  node.impliedNodeFormat = ts.getImpliedNodeFormatForFile(
    file.getFilePath(),
    undefined,
    ts.sys,
    project.getCompilerOptions(),
  );
}

// InTypeAlias prints a type's resolved form rather than the name of the alias that produced it.
const flags =
  ts.TypeFormatFlags.NoTruncation |
  ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType |
  ts.TypeFormatFlags.InTypeAlias;

/** A type as the compiler writes it, without `import("...")` qualifiers. */
/** An empty options argument (`Linear<32, 10, {}>`, the default when none are given) is left out. */
function typeText(t: Type, at: Node): string {
  return t
    .getText(at, flags)
    .replace(/import\("[^"]*"\)\./g, "")
    .replace(/, \{\}>/g, ">");
}

/**
 * S, D, Dev of a `Tensor<S, D, Dev>` type (the class declared by shapegrad), else null. Read with
 * the compiler API, so that a `NoInfer<Tensor<...>>` (a substitution type, as conv2d returns) is
 * seen through to the tensor type it stands for.
 */
function tensorParts(type: Type, at: Node): Pick<TensorEntry, "shape" | "dtype" | "device"> | null {
  const checker = at.getProject().getTypeChecker().compilerObject;
  let t: ts.Type = type.getNonNullableType().compilerType;
  while (t.flags & ts.TypeFlags.Substitution) t = (t as ts.SubstitutionType).baseType;
  if (t.getSymbol()?.getName() !== "Tensor") return null;
  if (!t.getProperty("shape") || !t.getProperty("dtype") || !t.getProperty("device")) return null;
  if (!(t.flags & ts.TypeFlags.Object) || !((t as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)) return null;
  const args = checker.getTypeArguments(t as ts.TypeReference);
  if (args.length !== 3) return null;
  const show = (a: ts.Type) => checker.typeToString(a, at.compilerNode, flags);
  const unquote = (s: string) => s.replace(/'/g, "");
  return { shape: show(args[0]), dtype: unquote(show(args[1])), device: unquote(show(args[2])) };
}

/** An nn.Module (typed layer or not): it has a forward and the module tree's methods. */
function isModuleType(type: Type): boolean {
  const t = type.getNonNullableType();
  return (
    t.isObject() && !!t.getProperty("forward") && !!t.getProperty("namedParameters") && !!t.getProperty("stateDict")
  );
}

/**
 * The layer types of a container that chains its layers (nn.Sequential): a module whose `layers`
 * property is a tuple of modules. Null for any other module.
 */
function containerLayers(type: Type, at: Node): Type[] | null {
  const prop = type.getNonNullableType().getProperty("layers");
  const layers = prop?.getTypeAtLocation(at).getNonNullableType();
  if (!layers?.isTuple()) return null;
  const elements = layers.getTupleElements();
  return elements.every(isModuleType) ? elements : null;
}

/**
 * The rows under a module: a container's layers by index, else the submodules a module holds in
 * its own properties (a custom module's, a Residual's body), each with its own rows below it.
 */
function moduleRows(type: Type, at: Node): LayerEntry[] {
  const layers = containerLayers(type, at);
  const places: [Type, { index: number; property?: string }][] = layers
    ? layers.map((t, index) => [t, { index }])
    : childModules(type, at).map(([property, t], index) => [t, { index, property }]);
  return places.map(([t, place]) => {
    const rows = moduleRows(t, at);
    return { ...place, name: layerName(t, at), type: typeText(t, at), ...(rows.length ? { layers: rows } : {}) };
  });
}

/** `rows` with each row's output from `outputs`, keyed by the row's path ("2", "0.1"). */
function withOutputs(rows: readonly LayerEntry[], outputs: ReadonlyMap<string, string>, prefix = ""): LayerEntry[] {
  return rows.map((l) => {
    const key = `${prefix}${l.property ?? l.index}`;
    const output = outputs.get(key);
    return {
      ...l,
      ...(output !== undefined ? { output } : {}),
      ...(l.layers ? { layers: withOutputs(l.layers, outputs, `${key}.`) } : {}),
    };
  });
}

/** The submodules a custom Module holds in its own properties, in declaration order. */
function childModules(type: Type, at: Node): [string, Type][] {
  const out: [string, Type][] = [];
  for (const prop of type.getNonNullableType().getProperties()) {
    const decl = prop.getValueDeclaration();
    if (!decl || !(Node.isPropertyDeclaration(decl) || Node.isParameterDeclaration(decl))) continue;
    const t = prop.getTypeAtLocation(at);
    if (isModuleType(t)) out.push([prop.getName(), t.getNonNullableType()]);
  }
  return out;
}

/** A module's class name (`Conv2d`, `Sequential`, a user's `Net`). */
function layerName(layer: Type, at: Node): string {
  return layer.getNonNullableType().getSymbol()?.getName() ?? typeText(layer, at);
}

/**
 * What a `forward(x)` call gives, as the checker resolved it: the message when the layer refuses
 * the input (its parameter type is then the message literal: the catalogue's convention), else the
 * result's shape (or its type, for a forward that does not return a Tensor).
 */
function callResult(call: CallExpression): { text: string; error: boolean } {
  const signature = call.getProject().getTypeChecker().getResolvedSignature(call);
  const param = signature?.getParameters()[0]?.getTypeAtLocation(call);
  const literal = param?.getLiteralValue();
  if (typeof literal === "string") return { text: literal, error: true };
  const type = call.getType();
  return { text: tensorParts(type, call)?.shape ?? typeText(type, call), error: false };
}

interface Traced {
  line: number;
  input: string;
  output: string;
  outputs: Map<string, string>;
}

/**
 * For each module, its first `<module>.forward(x)` call in the file: the input and output shapes,
 * and for a container the shape after each of its layers (nested ones too), all as the compiler
 * computes them on the user's own code. The per-layer shapes come from one copy of the file (in
 * memory, never written) that, right after the statement holding the call and in its scope,
 * passes the input through the layers one call at a time:
 *   const __sg0_in = <x>; const __sg0_0 = m.layers[0].forward(__sg0_in); const __sg0_1 = ...
 * and reads back each call's result. One copy for all modules costs one extra type-check.
 */
function traceForwards(
  project: Project,
  sf: SourceFile,
  modules: readonly { decl: Node; layers: readonly Type[] }[],
): (Traced | null)[] {
  const calls = sf.getDescendantsOfKind(SyntaxKind.CallExpression);
  const planned = modules.map(({ decl, layers }, k) => {
    const declSymbol = decl.getSymbol();
    if (!declSymbol) return null;
    const call = calls.find((c) => {
      const callee = c.getExpression();
      return (
        Node.isPropertyAccessExpression(callee) &&
        callee.getName() === "forward" &&
        c.getArguments().length === 1 &&
        callee.getExpression().getSymbol() === declSymbol
      );
    });
    const callee = call?.getExpression();
    if (!call || !Node.isPropertyAccessExpression(callee)) return null;
    const arg = call.getArguments()[0];
    const input = tensorParts(arg.getType(), arg);
    if (!input) return null;
    let statement: Node = call;
    while (statement.getParent() && !Node.isBlock(statement.getParent()) && !Node.isSourceFile(statement.getParent()))
      statement = statement.getParent()!;
    const lines = [`const __sg${k}_in = (${arg.getText()});`];
    const reads: string[] = [];
    const chain = (receiver: string, ls: readonly Type[], from: string, prefix: string) => {
      let prev = from;
      ls.forEach((l, i) => {
        const key = `${prefix}${i}`;
        const layer = `(${receiver}).layers[${i}]`;
        const name = `__sg${k}_${key.replace(/\./g, "_")}`;
        const nested = containerLayers(l, decl);
        if (nested) chain(layer, nested, prev, `${key}.`);
        lines.push(`const ${name} = ${layer}.forward(${prev});`);
        reads.push(key);
        prev = name;
      });
    };
    chain(callee.getExpression().getText(), layers, `__sg${k}_in`, "");
    const result = callResult(call);
    return {
      k,
      at: statement.getEnd(),
      text: lines.join("\n"),
      reads,
      line: sf.getLineAndColumnAtPos(call.getStart()).line,
      input: input.shape,
      output: result.text,
    };
  });
  const inserts = planned.filter((x): x is NonNullable<typeof x> => x !== null && x.reads.length > 0);
  const outputs = new Map<number, Map<string, string>>();
  if (inserts.length) {
    // Insert from the end, so that earlier offsets stay valid.
    let text = sf.getFullText();
    for (const ins of [...inserts].sort((a, b) => b.at - a.at))
      text = `${text.slice(0, ins.at)}\n${ins.text}\n${text.slice(ins.at)}`;
    const copyPath = path.join(
      path.dirname(sf.getFilePath()),
      `__shapegrad_inspect_${path.basename(sf.getFilePath())}`,
    );
    const copy = project.createSourceFile(copyPath, text, { overwrite: true });
    setModuleFormat(project, copy);
    try {
      // The declarations sit in the calls' blocks, not at the top level of the file.
      const declared = new Map(copy.getDescendantsOfKind(SyntaxKind.VariableDeclaration).map((d) => [d.getName(), d]));
      for (const ins of inserts) {
        const found = new Map<string, string>();
        // After a layer refuses its input only its enclosing containers are read (they refuse too,
        // naming it); the rows after it stay empty.
        let failed: string | null = null;
        for (const key of ins.reads) {
          if (failed !== null && !failed.startsWith(`${key}.`)) continue;
          const init = declared.get(`__sg${ins.k}_${key.replace(/\./g, "_")}`)?.getInitializer();
          if (!init || !Node.isCallExpression(init)) continue;
          const r = callResult(init);
          found.set(key, r.text);
          if (r.error) failed = key;
        }
        outputs.set(ins.k, found);
      }
    } finally {
      project.removeSourceFile(copy);
    }
  }
  return planned.map(
    (p) => p && { line: p.line, input: p.input, output: p.output, outputs: outputs.get(p.k) ?? new Map() },
  );
}
