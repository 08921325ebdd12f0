import { Testing } from "cdktf";

// Registers cdktf's toHaveResourceWithProperties & co. on jest's expect.
Testing.setupJest();
