// Public API of src/train: explicit re-exports.
export {};
