from .m2nist_recipe import Placement, recipe_instances, render, replay_layout

__all__ = ['Placement', 'recipe_instances', 'render', 'replay_layout']
