// fengari (Lua 5.3 in JavaScript) ships no types: its modules are used through `any`.
declare module 'fengari';
declare module 'fengari/src/*';
