-- Every well's api (canonical 14 digits) and its current operator (the seed's apiOperaIndex).
SELECT api, operator
FROM wells.wells
ORDER BY api
