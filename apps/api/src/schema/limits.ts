import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

export interface QueryLimits {
  /** Deepest allowed field nesting. */
  readonly maxDepth: number;
  /** Upper bound on the estimated number of resolved fields, with list fields multiplied by their size. */
  readonly maxCost: number;
  /** Aliases per operation: each alias of a field runs it once more. */
  readonly maxAliases: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 10, maxCost: 20_000, maxAliases: 30 };
/** Assumed size of a list without `first` (keyframes, clips, renditions of a video). */
const DEFAULT_LIST_SIZE = 20;
/** `first` given as a variable is not known at validation: assume the largest page. */
const LARGEST_PAGE = 100;

interface Measure {
  readonly depth: number;
  readonly cost: number;
  readonly aliases: number;
}

/**
 * A validation rule that refuses queries that are too deep, would resolve too many fields, or
 * repeat fields under too many aliases, before anything executes. A paginated field counts its
 * `first` (given, or the schema's default); other lists count DEFAULT_LIST_SIZE; fragments are
 * expanded; cycles are counted once.
 */
export function queryLimitsRule(limits: QueryLimits) {
  return (context: ValidationContext): ASTVisitor => {
    const schema = context.getSchema();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const typeNamed = (name: string): GraphQLCompositeType | null => {
      const type = schema.getType(name);
      return type && isCompositeType(type) ? type : null;
    };

    const measure = (selectionSet: SelectionSetNode, parent: GraphQLCompositeType | null, depth: number, seen: Set<string>): Measure => {
      let deepest = depth;
      let cost = 0;
      let aliases = 0;
      const add = (inner: Measure, multiplier = 1, own = 0) => {
        deepest = Math.max(deepest, inner.depth);
        cost += own + multiplier * inner.cost;
        aliases += multiplier * inner.aliases;
      };
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) aliases += 1;
          const field = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[selection.name.value] : undefined;
          if (!selection.selectionSet) {
            cost += 1;
            continue;
          }
          const inner = measure(selection.selectionSet, field ? (getNamedType(field.type) as GraphQLCompositeType) : null, depth + 1, seen);
          add(inner, listSize(selection, field, parent), 1);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          add(measure(selection.selectionSet, selection.typeCondition ? typeNamed(selection.typeCondition.name.value) : parent, depth, seen));
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue;
          add(measure(fragment.selectionSet, typeNamed(fragment.typeCondition.name.value), depth, new Set([...seen, name])));
        }
      }
      return { depth: deepest, cost, aliases };
    };

    const rootType = (operation: OperationDefinitionNode): GraphQLCompositeType | null =>
      (operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType()) ?? null;

    return {
      OperationDefinition(operation) {
        const { depth, cost, aliases } = measure(operation.selectionSet, rootType(operation), 0, new Set());
        const refuse = (message: string, code: string) =>
          context.reportError(new GraphQLError(message, { nodes: [operation], extensions: { code } }));
        if (depth > limits.maxDepth) refuse(`Query depth ${depth} exceeds the limit of ${limits.maxDepth}`, 'QUERY_TOO_DEEP');
        else if (aliases > limits.maxAliases) refuse(`The query uses ${aliases} aliases; the limit is ${limits.maxAliases}`, 'QUERY_TOO_COMPLEX');
        else if (cost > limits.maxCost) refuse(`Query cost ${cost} exceeds the limit of ${limits.maxCost}`, 'QUERY_TOO_COMPLEX');
      },
    };
  };
}

/** How many times a field's selection is resolved. */
function listSize(selection: FieldNode, field: GraphQLField<unknown, unknown> | undefined, parent: GraphQLCompositeType | null): number {
  const first = selection.arguments?.find((argument) => argument.name.value === 'first');
  if (first?.value.kind === Kind.INT) return Math.max(1, Number(first.value.value));
  if (first) return LARGEST_PAGE;
  const declared = field?.args.find((argument) => argument.name === 'first');
  if (declared) return typeof declared.defaultValue === 'number' ? declared.defaultValue : LARGEST_PAGE;
  // A connection's edges were counted by its `first` already.
  if (parent?.name.endsWith('Connection')) return 1;
  if (field && isListType(getNullableType(field.type))) return DEFAULT_LIST_SIZE;
  return 1;
}
