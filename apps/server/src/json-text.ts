/**
 * A JSON answer already serialised (a signed answer in its RFC 8785 form), so that neither the
 * audit record nor the HTTP body serialises a large answer again.
 */
export class JsonText {
  constructor(readonly text: string) {}
}
