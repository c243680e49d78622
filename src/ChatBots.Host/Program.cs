// Composition root; filled in by the host issue.
return 0;
