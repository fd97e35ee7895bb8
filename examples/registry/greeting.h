/* The entry kind the demo's modules contribute. */
struct greeting {
  const char *text;
};
