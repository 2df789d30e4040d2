import * as v from 'valibot';

type LiteralKeyed<TKey extends string> = v.ObjectSchema<
  Record<TKey, v.LiteralSchema<v.Literal, v.ErrorMessage<v.LiteralIssue> | undefined>> & v.ObjectEntries,
  v.ErrorMessage<v.ObjectIssue> | undefined
>;

/**
 * `v.variant` over objects whose discriminator is a distinct literal in every option, finding the
 * option by a map lookup instead of trying the options in order. valibot's variant runs each option's
 * discriminator check until one matches (a fresh dataset per try), and the server validates every
 * stored event through one: the commonest events (scroll, hover) come ninth and tenth of fourteen.
 * Same schema, types, output and issues; only the search differs. An input whose discriminator is
 * missing or unknown goes through valibot's own variant, so its issue reads exactly as before.
 */
export function literalVariant<
  const TKey extends string,
  const TOptions extends readonly LiteralKeyed<TKey>[],
  const TMessage extends v.ErrorMessage<v.VariantIssue> | undefined,
>(key: TKey, options: TOptions, message: TMessage): v.VariantSchema<TKey, TOptions, TMessage> {
  const schema = v.variant(key, options, message);
  const byLiteral = new Map<unknown, LiteralKeyed<TKey>>();
  for (const option of options) {
    const literal = option.entries[key].literal;
    if (byLiteral.has(literal)) throw new Error(`literalVariant: two options share ${key} = ${String(literal)}`);
    byLiteral.set(literal, option);
  }
  type Run = (typeof schema)['~run'];
  const searchOptions: Run = schema['~run'].bind(schema);
  const lookup: Run = (dataset, config) => {
    const input: unknown = dataset.value;
    if (input !== null && typeof input === 'object') {
      const option = byLiteral.get((input as Record<string, unknown>)[key]);
      if (option !== undefined) return option['~run'](dataset, config) as ReturnType<typeof searchOptions>;
    }
    return searchOptions(dataset, config);
  };
  // Replaced in place (the type says read-only) so that `~standard.validate`, which calls
  // `schema['~run']`, takes the lookup too.
  (schema as { '~run': Run })['~run'] = lookup;
  return schema;
}
