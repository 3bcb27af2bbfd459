// tsconfig.web.json maps 'electron' and 'node:*' here, so a renderer import of either finds a
// module with no exports and fails to compile. The renderer reaches main only via window.wardline.
export {};
