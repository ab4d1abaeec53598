namespace StrategyLab.Cluster;
