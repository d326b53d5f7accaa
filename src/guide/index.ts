// Public API of src/guide: explicit re-exports.
export {};
