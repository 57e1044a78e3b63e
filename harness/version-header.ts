/** The request header that names the version, unless configured otherwise (the seed's name). */
export const DEFAULT_VERSION_HEADER = "grpcsvc";
