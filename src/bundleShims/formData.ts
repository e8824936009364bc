// Bundle-time stand-in for the `form-data` package (which pulls in a 130 KB MIME database): the extension
// never sends multipart forms, so axios only needs the class to exist for its `instanceof` checks.
class FormData {}
export = FormData;
