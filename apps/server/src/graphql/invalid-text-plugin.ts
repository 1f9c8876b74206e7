import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, visit } from 'graphql';
import { anyInvalidText, hasInvalidCharacter } from '../invalid-text.js';

/**
 * U+0000 or an unpaired surrogate in a variable or a string literal is the caller's mistake
 * (PostgreSQL cannot store them): refused as BAD_USER_INPUT before any resolver runs, instead of
 * failing deep in a query as an internal error.
 */
export const refuseInvalidText: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document }) {
        let invalid = anyInvalidText(request.variables);
        if (!invalid) {
          visit(document, {
            StringValue(node) {
              invalid ||= hasInvalidCharacter(node.value);
            },
          });
        }
        if (invalid) throw new GraphQLError('Strings must not contain U+0000 or unpaired surrogates', { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
      },
    };
  },
};
