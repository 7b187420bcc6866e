import ts from 'typescript';

/**
 * The types an entry point's exports refer to (parameters, return types, properties, heritage,
 * type arguments, followed through every type of the package's own sources) that the entry does
 * not export by name. A consumer whose declaration build must name one of them fails with
 * TS2742 ("cannot be named without a reference to …"): every such type must be exported.
 */
export function unexportedPublicTypes(
  program: ts.Program,
  entry: string,
  alsoExportedBy: readonly string[] = [],
): string[] {
  const checker = program.getTypeChecker();
  const exportsOf = (file: string) => {
    const source = program.getSourceFile(file);
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`${file} is not in the program`);
    return checker.getExportsOfModule(module).map((symbol) => resolved(symbol));
  };
  const resolved = (symbol: ts.Symbol) =>
    symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const exported = new Set([entry, ...alsoExportedBy].flatMap(exportsOf));
  const ownSource = (symbol: ts.Symbol) =>
    symbol.declarations?.some((declaration) => {
      const file = declaration.getSourceFile();
      return !file.isDeclarationFile && !file.fileName.includes('/node_modules/');
    }) ?? false;
  const named = (symbol: ts.Symbol) =>
    symbol.flags &
    (ts.SymbolFlags.Interface |
      ts.SymbolFlags.TypeAlias |
      ts.SymbolFlags.Class |
      ts.SymbolFlags.Enum);

  const missing = new Set<string>();
  const seen = new Set<ts.Type>();
  const note = (symbol: ts.Symbol | undefined) => {
    if (!symbol || !named(symbol) || !ownSource(symbol) || exported.has(symbol)) return;
    const file = symbol.declarations?.[0]?.getSourceFile().fileName ?? '';
    missing.add(
      `${symbol.name} (${file.slice(file.lastIndexOf('/', file.lastIndexOf('/') - 1) + 1)})`,
    );
  };
  const visitSignature = (signature: ts.Signature) => {
    for (const parameter of signature.getParameters()) visit(checker.getTypeOfSymbol(parameter));
    for (const parameter of signature.getTypeParameters() ?? []) {
      const constraint = parameter.getConstraint();
      if (constraint) visit(constraint);
    }
    visit(signature.getReturnType());
  };
  function visit(type: ts.Type): void {
    if (seen.has(type)) return;
    seen.add(type);
    note(type.aliasSymbol);
    for (const argument of type.aliasTypeArguments ?? []) visit(argument);
    if (type.isUnionOrIntersection()) {
      for (const member of type.types) visit(member);
      return;
    }
    const symbol = type.getSymbol();
    if (symbol && named(symbol)) note(symbol);
    // `Promise<T>`, `T[]`, `Map<K, V>`: the arguments are the package's to export.
    if (type.flags & ts.TypeFlags.Object) {
      if ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
        for (const argument of checker.getTypeArguments(type as ts.TypeReference)) visit(argument);
      }
    }
    // Types from dependencies (ky, valibot) are theirs to export; their insides are not walked.
    if (symbol && !ownSource(symbol) && !(symbol.flags & ts.SymbolFlags.TypeLiteral)) return;
    if (type.flags & ts.TypeFlags.Object) {
      for (const base of type.isClassOrInterface() ? checker.getBaseTypes(type) : []) visit(base);
      for (const property of type.getProperties()) {
        const declaration = property.valueDeclaration ?? property.declarations?.[0];
        const modifiers = declaration && ts.getCombinedModifierFlags(declaration);
        if (modifiers && modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
          continue;
        if (property.name.startsWith('#')) continue;
        visit(checker.getTypeOfSymbol(property));
      }
      for (const signature of type.getCallSignatures()) visitSignature(signature);
      for (const signature of type.getConstructSignatures()) visitSignature(signature);
      const index = checker.getIndexInfosOfType(type);
      for (const info of index) visit(info.type);
    }
  }
  for (const symbol of exportsOf(entry)) {
    if (symbol.flags & ts.SymbolFlags.Value) visit(checker.getTypeOfSymbol(symbol));
    if (named(symbol)) visit(checker.getDeclaredTypeOfSymbol(symbol));
  }
  return [...missing].sort();
}

/** A program over the package's sources with the repository's compiler settings. */
export function packageProgram(files: readonly string[], extra: ts.CompilerOptions = {}) {
  const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, '.');
  return ts.createProgram(files, { ...options, ...extra });
}

/**
 * Optional properties (`name?: T`) of the types `entry` exports whose type does not accept
 * `undefined`: under `exactOptionalPropertyTypes` a consumer cannot pass one an optional value
 * of its own (`{ signal: call.signal }`), so every one is written `name?: T | undefined`.
 */
export function optionalsWithoutUndefined(program: ts.Program, entry: string): string[] {
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${entry} is not in the program`);
  const found: string[] = [];
  const acceptsUndefined = (node: ts.TypeNode): boolean =>
    node.kind === ts.SyntaxKind.UndefinedKeyword ||
    (ts.isUnionTypeNode(node) && node.types.some(acceptsUndefined)) ||
    (ts.isParenthesizedTypeNode(node) && acceptsUndefined(node.type));
  const visit = (owner: string) => (node: ts.Node) => {
    if (ts.isPropertySignature(node) && node.questionToken && node.type) {
      if (!acceptsUndefined(node.type)) found.push(`${owner}.${node.name.getText()}`);
    }
    ts.forEachChild(node, visit(owner));
  };
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    for (const declaration of symbol.declarations ?? []) {
      if (declaration.getSourceFile().fileName.includes('/node_modules/')) continue;
      if (ts.isInterfaceDeclaration(declaration) || ts.isTypeAliasDeclaration(declaration)) {
        ts.forEachChild(declaration, visit(symbol.name));
      }
    }
  }
  return [...new Set(found)].sort();
}
