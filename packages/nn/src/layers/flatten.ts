// The flatten layers.
export {};
