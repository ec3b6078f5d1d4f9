/**
 * Finds what would stop a core module from running in a browser, a CSP page or an edge runtime:
 * imports of Node built-ins (or of any package: the core has no runtime dependencies), code
 * generation from strings (eval, the Function constructor), and Node-only globals. It parses with
 * the TypeScript compiler, so comments, strings and names like `model.eval()` cannot confuse it.
 */
import { builtinModules } from 'node:module';
import ts from 'typescript';

export interface Finding {
  readonly line: number;
  readonly what: string;
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const NODE_GLOBALS = new Set(['process', 'Buffer', '__dirname', '__filename', 'global', 'require', 'module', 'exports', 'setImmediate']);
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global']);
const CODEGEN = new Set(['eval', 'Function']);

export function classifySpecifier(spec: string): string | null {
  if (spec.startsWith('node:') || NODE_BUILTINS.has(spec) || NODE_BUILTINS.has(spec.split('/')[0]!)) return `imports Node built-in '${spec}'`;
  if (!spec.startsWith('.') && !spec.startsWith('/')) return `imports package '${spec}' (core modules have no runtime dependencies)`;
  return null;
}

/** Is this identifier a reference to a binding (not a property or member name, a declaration, a type)? */
function isValueReference(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isShorthandPropertyAssignment(p)) return true; // `{ process }` reads the binding
  if ((p as ts.Node & { name?: ts.Node }).name === id) return false; // declarations, members, `.name`
  if ((ts.isImportSpecifier(p) || ts.isExportSpecifier(p) || ts.isBindingElement(p)) && p.propertyName === id) return false;
  if (ts.isQualifiedName(p) || ts.isTypeReferenceNode(p) || ts.isTypeQueryNode(p)) return false;
  if (ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) return false;
  return true;
}

/** Names declared anywhere in the file (a local `process` is not the Node global). */
function declaredNames(sf: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (
      ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n) || ts.isFunctionDeclaration(n) || ts.isClassDeclaration(n) ||
      ts.isEnumDeclaration(n) || ts.isImportSpecifier(n) || ts.isImportClause(n) || ts.isNamespaceImport(n)
    ) {
      const name = n.name;
      if (name !== undefined && ts.isIdentifier(name)) names.add(name.text);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return names;
}

export function scanSource(fileName: string, text: string): Finding[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const declared = declaredNames(sf);
  const found: Finding[] = [];
  const report = (n: ts.Node, what: string) => found.push({ line: sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1, what });
  const checkSpec = (n: ts.Node, spec: ts.Node | undefined) => {
    if (spec === undefined) return;
    if (!ts.isStringLiteralLike(spec)) return report(n, 'loads a module whose name is computed at run time');
    const problem = classifySpecifier(spec.text);
    if (problem !== null) report(n, problem);
  };
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) checkSpec(n, n.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(n) && ts.isExternalModuleReference(n.moduleReference)) checkSpec(n, n.moduleReference.expression);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument)) checkSpec(n, n.argument.literal);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword) checkSpec(n, n.arguments[0]);
    else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require' && !declared.has('require')) checkSpec(n, n.arguments[0]);
    else if (ts.isIdentifier(n) && isValueReference(n)) {
      if (CODEGEN.has(n.text)) report(n, n.text === 'eval' ? 'uses eval' : 'uses the Function constructor');
      else if (NODE_GLOBALS.has(n.text) && !declared.has(n.text)) report(n, `uses the Node global '${n.text}'`);
    } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && GLOBAL_OBJECTS.has(n.expression.text) && CODEGEN.has(n.name.text)) {
      report(n, `uses ${n.expression.text}.${n.name.text}`);
    } else if (
      ts.isElementAccessExpression(n) && ts.isIdentifier(n.expression) && GLOBAL_OBJECTS.has(n.expression.text) &&
      ts.isStringLiteralLike(n.argumentExpression) && CODEGEN.has(n.argumentExpression.text)
    ) {
      report(n, `uses ${n.expression.text}['${n.argumentExpression.text}']`);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return found;
}
