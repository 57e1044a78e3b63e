/** The request header that names the version, unless configured otherwise (the seed's name). */
export const DEFAULT_VERSION_HEADER = "grpcsvc";

/** The response header each version's route adds, naming the version that served the request. */
export const SERVED_HEADER = "x-version-served";
