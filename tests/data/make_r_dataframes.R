# Writes the small R data files read by tests/test_datasets.py (run here: Rscript make_r_dataframes.R).
# Made with R 4.2.2 (Debian's r-base-core).
co2 <- data.frame(c(273.1, 283.1, 293.1), c(24.675, 24.675, 49.35), c(0.806677, 0.833668, 0.102389))
names(co2) <- c("Temperature(K)", "Pressure(ATM)", "Compressibility Factor(Z)")  # non-syntactic names
small <- data.frame(id = 1:3, name = c("a", "b", NA), flag = c(TRUE, FALSE, TRUE),
                    level = factor(c("lo", "hi", "lo")), stringsAsFactors = FALSE)
note <- "not a data frame"
# format version 2, as written by R < 3.6 (the R package's gradDescentRData.RData is of that age)
save(co2, small, file = "r_dataframes_v2.RData", version = 2)
# today's default format (version 3), with an object that is not a data frame
save(co2, small, note, file = "r_dataframes_v3.rda")
