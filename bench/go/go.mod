module modlinkbench

go 1.19
