import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';

/**
 * An operation whose root type the schema lacks (this API has no subscriptions) is refused as a
 * validation error (400); graphql-js would otherwise accept it and fail it at execution, as a fault.
 */
export function knownRootOperationRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (!context.getSchema().getRootType(node.operation)) context.reportError(new GraphQLError(`This API has no ${node.operation} operations`, { nodes: node }));
    },
  };
}
