/**
 * The shape inspector: what the compiler knows about every tensor in a file, without running it.
 *
 * ts-morph opens the user's own tsconfig (the nearest one above the file, or `project`), adds the
 * file and type-checks it. Then, from the checker alone:
 * - every variable, destructured binding, parameter and class property whose type is shapegrad's
 *   `Tensor<S, D, Dev>` is reported with S, D and Dev as the compiler inferred them;
 * - every value whose type carries a layer's shape rule (`__shape`, see src/nn/types.ts) is a
 *   module: for an nn.Sequential its layers are listed, and where the file calls its forward the
 *   shape after each layer is computed by the compiler (see `layerShapes`);
 * - every diagnostic is reported with its location; one whose text carries a shapegrad catalogue
 *   message (a parameter type that is the message literal) is reported with that message.
 */
import * as path from "node:path";
import { existsSync } from "node:fs";
import { Node, Project, SyntaxKind, ts, type SourceFile, type Type } from "ts-morph";

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
  /** The layer's class name, from its shape rule (`Conv2d`, `ReLU`, ...). */
  readonly name: string;
  /** The layer's type as written by the compiler: `Conv2d<3, 16, 3, { padding: 1; }>`. */
  readonly type: string;
  /** Output shape after this layer for the input of the forward call at `forwardLine`; a message if the layer refuses it. */
  readonly output?: string;
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
  if (options.project && !existsSync(tsconfig!)) throw new Error(`shapegrad shapes: no such tsconfig ${options.project}`);
  const project = tsconfig
    ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true })
    : new Project({ compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext } });
  const sf = project.addSourceFileAtPath(absolute);
  setModuleFormat(project, sf);
  project.resolveSourceFileDependencies();

  const diagnostics = sf.getPreEmitDiagnostics()
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

  const moduleDecls: { entryIndex: number; decl: Node; name: string; layers: Type[] }[] = [];
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
    const shapeFn = shapeRuleOf(type, decl);
    if (shapeFn || isModuleType(type)) {
      const layers = shapeFn ? sequentialLayers(shapeFn) : [];
      moduleDecls.push({ entryIndex: entries.length, decl, name, layers });
      const listed: LayerEntry[] = layers.length
        ? layers.map((l, index) => ({ index, name: layerName(l, decl), type: typeText(l, decl) }))
        : childModules(type, decl).map(([property, t], index) => ({ index, property, name: layerName(t, decl), type: typeText(t, decl) }));
      entries.push({ kind: "module", name, line, column, type: typeText(type, decl), layers: listed });
    }
  }

  const shapesOf = forwardShapes(project, sf, moduleDecls.map((m) => ({ decl: m.decl, count: m.layers.length })));
  for (const [i, m] of moduleDecls.entries()) {
    const shapes = shapesOf[i];
    if (!shapes) continue;
    const entry = entries[m.entryIndex] as ModuleEntry;
    entries[m.entryIndex] = {
      ...entry,
      forwardLine: shapes.line,
      forwardInput: shapes.input,
      forwardOutput: shapes.output,
      layers: entry.layers.map((l, i) => (i < shapes.outputs.length ? { ...l, output: shapes.outputs[i] } : l)),
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
  node.impliedNodeFormat = ts.getImpliedNodeFormatForFile(file.getFilePath() as string as ts.Path, undefined, ts.sys, project.getCompilerOptions());
}

// InTypeAlias prints a type's resolved form rather than the name of the alias that produced it.
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType | ts.TypeFormatFlags.InTypeAlias;

/** A type as the compiler writes it, without `import("...")` qualifiers. */
function typeText(t: Type, at: Node): string {
  return t.getText(at, flags).replace(/import\("[^"]*"\)\./g, "");
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
  return t.isObject() && !!t.getProperty("forward") && !!t.getProperty("namedParameters") && !!t.getProperty("stateDict");
}

/** The submodules a custom Module holds in its own properties, in declaration order. */
function childModules(type: Type, at: Node): [string, Type][] {
  const out: [string, Type][] = [];
  for (const prop of type.getNonNullableType().getProperties()) {
    const decl = prop.getValueDeclaration();
    if (!decl || !(Node.isPropertyDeclaration(decl) || Node.isParameterDeclaration(decl))) continue;
    const t = prop.getTypeAtLocation(at);
    if (isModuleType(t) || shapeRuleOf(t, at)) out.push([prop.getName(), t.getNonNullableType()]);
  }
  return out;
}

/** The shape rule a module type declares through its phantom `__shape` property. */
function shapeRuleOf(type: Type, at: Node): Type | null {
  const prop = type.getNonNullableType().getProperty("__shape");
  if (!prop) return null;
  return prop.getTypeAtLocation(at).getNonNullableType();
}

/** The layer types of a `SequentialFn<Ls>` rule; [] for any other module. */
function sequentialLayers(rule: Type): Type[] {
  if (rule.getSymbol()?.getName() !== "SequentialFn") return [];
  const [ls] = rule.getTypeArguments();
  return ls?.isTuple() ? ls.getTupleElements() : [];
}

function layerName(layer: Type, at: Node): string {
  const rule = shapeRuleOf(layer, at);
  const nameType = rule?.getProperty("name")?.getTypeAtLocation(at);
  const literal = nameType?.getLiteralValue();
  if (typeof literal === "string" && literal !== "Module") return literal;
  return layer.getSymbol()?.getName() ?? typeText(layer, at);
}

interface ForwardShapes { line: number; input: string; output: string; outputs: string[] }

/**
 * For each module, its first `<module>.forward(x)` call in the file: the module's output shape,
 * and for a Sequential the shape after each layer. The compiler computes them: one copy of the
 * file (in memory, never written) gets, right after each statement holding such a call and in its
 * scope, type aliases applying the module's rule and each layer's rule (src/nn/types.ts:
 * ApplyShape, ShapeFnOf) to the input shape; the aliases' types are read back. One copy for all
 * modules costs one extra type-check of the file.
 */
function forwardShapes(project: Project, sf: SourceFile, modules: readonly { decl: Node; count: number }[]): (ForwardShapes | null)[] {
  const typesFile = project.getSourceFiles().find((f) => f.getExportedDeclarations().has("ApplyShape") && f.getExportedDeclarations().has("SequentialFn"));
  if (!typesFile) return modules.map(() => null);
  const mod = `import(${JSON.stringify(typesFile.getFilePath().replace(/\.ts$/, ".js"))})`;
  const calls = sf.getDescendantsOfKind(SyntaxKind.CallExpression);
  const planned = modules.map(({ decl, count }, k) => {
    const declSymbol = decl.getSymbol();
    if (!declSymbol) return null;
    const call = calls.find((c) => {
      const callee = c.getExpression();
      return Node.isPropertyAccessExpression(callee) && callee.getName() === "forward" && c.getArguments().length === 1 &&
        callee.getExpression().getSymbol() === declSymbol;
    });
    const callee = call?.getExpression();
    if (!call || !Node.isPropertyAccessExpression(callee)) return null;
    const arg = call.getArguments()[0];
    const parts = tensorParts(arg.getType(), arg);
    if (!parts) return null;
    let statement: Node = call;
    while (statement.getParent() && !Node.isBlock(statement.getParent()) && !Node.isSourceFile(statement.getParent())) statement = statement.getParent()!;
    const receiver = callee.getExpression().getText();
    const p = `__sg${k}_`;
    const aliases = [`type ${p}Ls = NonNullable<(typeof ${receiver})["__shape"]> extends ${mod}.SequentialFn<infer L> ? L : never;`,
      `type ${p}in = ${parts.shape};`,
      `type ${p}all = ${mod}.ApplyShape<${mod}.ShapeFnOf<typeof ${receiver}>, ${p}in>;`];
    for (let i = 0; i < count; i++) {
      const prev = i === 0 ? `${p}in` : `${p}${i - 1}`;
      aliases.push(`type ${p}${i} = ${prev} extends readonly number[] ? ${mod}.ApplyShape<${mod}.ShapeFnOf<${p}Ls[${i}]>, ${prev}> : ${prev};`);
    }
    return { k, count, at: statement.getEnd(), text: aliases.join("\n"), line: sf.getLineAndColumnAtPos(call.getStart()).line, input: parts.shape };
  });
  const inserts = planned.filter((x): x is NonNullable<typeof x> => x !== null);
  if (!inserts.length) return modules.map(() => null);
  // Insert from the end, so that earlier offsets stay valid.
  let text = sf.getFullText();
  for (const ins of [...inserts].sort((a, b) => b.at - a.at)) text = `${text.slice(0, ins.at)}\n${ins.text}\n${text.slice(ins.at)}`;
  const copyPath = path.join(path.dirname(sf.getFilePath()), `__shapegrad_inspect_${path.basename(sf.getFilePath())}`);
  const copy = project.createSourceFile(copyPath, text, { overwrite: true });
  setModuleFormat(project, copy);
  try {
    // The aliases sit in the calls' blocks, not at the top level of the file.
    const declared = new Map(copy.getDescendantsOfKind(SyntaxKind.TypeAliasDeclaration).map((a) => [a.getName(), a]));
    const read = (name: string) => {
      const alias = declared.get(name);
      if (!alias) return null;
      const t = alias.getType();
      const literal = t.getLiteralValue();
      return typeof literal === "string" ? { text: literal, error: true } : { text: typeText(t, alias), error: false };
    };
    return planned.map((ins) => {
      if (!ins) return null;
      const outputs: string[] = [];
      for (let i = 0; i < ins.count; i++) {
        const r = read(`__sg${ins.k}_${i}`);
        if (!r) break;
        outputs.push(r.text);
        if (r.error) break;
      }
      const all = read(`__sg${ins.k}_all`);
      return all ? { line: ins.line, input: ins.input, output: all.text, outputs } : null;
    });
  } finally {
    project.removeSourceFile(copy);
  }
}
